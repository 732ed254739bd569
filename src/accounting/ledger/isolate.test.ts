/**
 * The isolate adapter between real processes (the compiled isolate.js in dist/, built by the test global setup):
 * messages keep bigint and undefined, a child's last message comes before its "exit" (which names the signal),
 * SIGTERM is left to the parent, and terminate() holds the parent's event loop until the child is gone.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const ISOLATE = pathToFileURL(resolve("dist/src/accounting/ledger/isolate.js")).href;

/** A child that echoes each message with its start data, says "bye" and dies of the signal it is asked for. */
const CHILD = `import { isolateParent } from ${JSON.stringify(ISOLATE)};
const parent = isolateParent();
parent.onMessage((m) => {
  if (m.die) { parent.send({ bye: true }); setTimeout(() => process.kill(process.pid, m.die), 20); return; }
  parent.send({ echo: m, data: parent.data });
});
parent.send({ ready: process.pid });`;

/** A parent that starts the child, lets it go (unref), and terminates it: "terminated" shows it waited. */
const PARENT = (child: string): string => `import { startIsolate } from ${JSON.stringify(ISOLATE)};
const iso = startIsolate(new URL(${JSON.stringify(pathToFileURL(child).href)}), null);
iso.on("message", async () => {
  iso.unref();
  await iso.terminate();
  console.log("terminated");
});`;

describe("isolate", () => {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "isolate-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("passes bigint and undefined both ways, ignores SIGTERM, and tells the signal after the last message", async () => {
    const child = join(dir, "child.mjs");
    writeFileSync(child, CHILD);
    const { startIsolate } = (await import(ISOLATE)) as typeof import("./isolate.js");
    const iso = startIsolate<Record<string, unknown>, Record<string, unknown>>(pathToFileURL(child), { path: "x.db", n: 3 });
    const seen: Array<Record<string, unknown>> = [];
    const ended = new Promise<string>((done) => iso.on("exit", (code, signal) => done(`${code}/${signal}`)));
    iso.on("message", (m) => seen.push(m));
    try {
      while (seen.length === 0) await new Promise((r) => setTimeout(r, 10));
      expect(seen[0]).toEqual({ ready: iso.pid });
      iso.postMessage({ big: 10n ** 30n, none: undefined });
      process.kill(iso.pid ?? 0, "SIGTERM");
      iso.postMessage({ die: "SIGBUS" });
      expect(await ended).toBe("null/SIGBUS");
      expect(seen.slice(1)).toEqual([{ echo: { big: 10n ** 30n, none: undefined }, data: { path: "x.db", n: 3 } }, { bye: true }]);
      iso.postMessage({ after: true }); // dropped, not thrown
    } finally {
      await iso.terminate();
    }
  });

  it("holds the parent's event loop in terminate() until the child is gone, even when unref'd", async () => {
    const child = join(dir, "child.mjs");
    const parent = join(dir, "parent.mjs");
    writeFileSync(child, CHILD);
    writeFileSync(parent, PARENT(child));
    const out = await new Promise<string>((done, fail) => execFile(process.execPath, [parent], { timeout: 10_000 }, (err, stdout) => (err ? fail(err) : done(stdout))));
    expect(out).toBe("terminated\n");
  });
});

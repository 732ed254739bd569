/**
 * kill -9 during load: a child process records rows through the real Ledger (from dist/, built by
 * test/global-setup.ts) and prints each request id once its record() promise resolved; the test
 * kills it mid-load, reopens the file and finds every acknowledged request with all of its rows.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteLedgerStore } from "./sqlite-ledger.js";
import { openSqlite } from "./sqlite-driver.js";

const DIST = resolve("dist/src/accounting/ledger");

const CHILD = `
import { createHash } from "node:crypto";
import { SqliteLedgerStore } from ${JSON.stringify(pathToFileURL(join(DIST, "sqlite-ledger.js")).href)};
import { ThreadedLedgerStore } from ${JSON.stringify(pathToFileURL(join(DIST, "ledger-writer.js")).href)};
import { Ledger } from ${JSON.stringify(pathToFileURL(join(DIST, "ledger.js")).href)};
const options = { path: process.env.LEDGER_PATH, now: () => Date.now(), rollupEvery: 150 };
const ledger = new Ledger(process.env.LEDGER_THREAD === "1" ? await ThreadedLedgerStore.open(options) : SqliteLedgerStore.open(options));
let n = 0;
const row = (id, attempt, final) => ({
  uid: createHash("md5").update(id + "-" + attempt).digest("hex"), timeMs: Date.now(), requestId: id, clientKey: "k" + (n % 7), tags: { team: "t" + (n % 3) }, route: undefined,
  model: "m", provider: "p", inputTokens: 10, outputTokens: 20, cachedInputTokens: undefined, cacheWriteTokens: undefined,
  usageUnknown: false, usageBasis: "reported", costPicos: 1234567n, latencyMs: 5, ttftMs: undefined, outcome: final ? "succeeded" : "failed", attempt,
  failover: false, retry: attempt > 1, hedge: false, streamed: false, errorKind: undefined,
  request: final ? { outcome: "succeeded", latencyMs: 9, ttftMs: undefined } : undefined,
});
async function one() {
  const id = "r" + n++;
  const rows = n % 3 === 0 ? [row(id, 1, false), row(id, 2, true)] : [row(id, 1, true)];
  await ledger.record(rows);
  process.stdout.write(id + " " + rows.length + "\\n");
}
for (;;) await Promise.all(Array.from({ length: 25 }, one));
`;

describe("durability", () => {
  let dir = "";
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ["on the event loop", "0"],
    ["in its writer process", "1"],
  ])("loses no acknowledged record when the process is killed with SIGKILL mid-load (ledger %s)", async (_where, thread) => {
    if (!existsSync(join(DIST, "ledger.js"))) throw new Error("dist/ is not built: run the tests without SKIP_BUILD=1");
    dir = mkdtempSync(join(tmpdir(), "ledger-kill-"));
    const path = join(dir, "ledger.db");
    const script = join(dir, "child.mjs");
    writeFileSync(script, CHILD);
    const child = spawn(process.execPath, [script], { env: { ...process.env, LEDGER_PATH: path, LEDGER_THREAD: thread }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((done) => child.on("exit", (_code, signal) => done(signal)));
    await new Promise<void>((done, fail) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.split("\n").length > 3000) {
          child.kill("SIGKILL");
          done();
        }
      });
      child.on("exit", () => fail(new Error(`child exited early: ${err}`)));
    });
    expect(await exited).toBe("SIGKILL");
    const acked = out.split("\n").slice(0, -1).map((line) => line.split(" "));
    expect(acked.length).toBeGreaterThanOrEqual(3000);

    const db = openSqlite(path);
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    const stored = new Map<string, number>();
    for (const r of db.prepare("SELECT request_id, COUNT(*) FROM ledger GROUP BY request_id").raw(true).all() as [string, number][]) stored.set(r[0], r[1]);
    const finals = db.prepare("SELECT COUNT(*) FROM ledger WHERE final = 1").pluck().get();
    db.close();
    const missing = acked.filter(([id, rows]) => stored.get(id ?? "") !== Number(rows));
    expect(missing).toEqual([]);
    // Batches are atomic: every stored request (acknowledged or not) has all of its rows.
    const partial = [...stored].filter(([id, count]) => count !== ((Number(id.slice(1)) + 1) % 3 === 0 ? 2 : 1));
    expect(partial).toEqual([]);

    // The rollups and the raw tail left by the crash count every stored request exactly once.
    const store = SqliteLedgerStore.open({ path, now: () => Date.now() });
    const [total] = await store.aggregate({ startMs: 0, endMs: Number.MAX_SAFE_INTEGER, models: [], providers: [], clientKeys: [], tags: {}, groupBy: [], tagKey: undefined, latency: false });
    expect(total?.requests).toBe(BigInt(Number(finals)));
    expect(total?.costPicos).toBe(1234567n * BigInt([...stored.values()].reduce((a, b) => a + b, 0)));
    await store.close();
  }, 60_000);
});

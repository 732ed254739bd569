import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { watchConfigFile } from "./config-watch.js";
import type { ConfigWatch } from "./config-watch.js";

const quiet = { log: () => undefined };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("watchConfigFile", () => {
  let dir: string;
  let path: string;
  let watch: ConfigWatch | undefined;
  let fired: number[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "gw-watch-"));
    path = join(dir, "gateway.yaml");
    writeFileSync(path, "a: 1\n");
    fired = [];
    watch = watchConfigFile(path, () => fired.push(performance.now()), quiet, 50);
  });
  afterEach(() => {
    watch?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("calls once per burst: a write in place, then a rename over the file (and again after it)", async () => {
    writeFileSync(path, "a: 2\n");
    writeFileSync(path, "a: 3\n");
    await sleep(200);
    expect(fired).toHaveLength(1);
    writeFileSync(`${path}.tmp`, "a: 4\n");
    renameSync(`${path}.tmp`, path);
    await sleep(200);
    expect(fired).toHaveLength(2);
    writeFileSync(path, "a: 5\n");
    await sleep(200);
    expect(fired).toHaveLength(3);
  });

  it("ignores other files of the directory, even busy ones, and still sees the config change among them", async () => {
    const t0 = performance.now();
    const busy = setInterval(() => writeFileSync(join(dir, "ledger.db-wal"), String(Math.random())), 10);
    try {
      await sleep(200);
      expect(fired).toHaveLength(0);
      writeFileSync(path, "a: 6\n");
      await sleep(200);
      expect(fired).toHaveLength(1);
      expect((fired[0] ?? 0) - t0).toBeLessThan(400);
    } finally {
      clearInterval(busy);
    }
  });
});

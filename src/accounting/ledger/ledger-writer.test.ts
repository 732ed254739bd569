/**
 * The ledger in writer and reader processes: the same stored rows and answers as the in-thread store, reports of
 * ":memory:" answered by the writer, a clear refusal when the file cannot be opened, and a writer that stops (or
 * is killed with SIGBUS under load) failing only what it had not answered before the next request starts a new
 * one. The workers are the compiled scripts in dist/ (the test global setup builds them).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Ledger } from "./ledger.js";
import { ThreadedLedgerStore } from "./ledger-writer.js";
import { SqliteLedgerStore } from "./sqlite-ledger.js";
import { ROWS_T0 as T0, ledgerRow as row, rowsQuery as query } from "../../../test/helpers/ledger-row.js";

const DAY = 86_400_000;

/** Waits (polling) until `done` holds; fails after 20 s. */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done(); waited += 5) {
    if (waited > 20_000) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const DIST = new URL("../../../dist/src/accounting/ledger/", import.meta.url);
const WRITER = new URL("ledger-worker.js", DIST);
const READER = new URL("../report/report-worker.js", DIST);

describe("ThreadedLedgerStore", () => {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ledger-writer-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("stores what the in-thread store stores, rolls up, prunes whole days and reopens the file it wrote", async () => {
    const threadedPath = join(dir, "threaded.db");
    const errors: unknown[] = [];
    const threaded = await ThreadedLedgerStore.open({ path: threadedPath, now: () => T0, rollupEvery: 100, onError: (e) => errors.push(e), workerUrl: WRITER, reportWorkerUrl: READER });
    const inThread = SqliteLedgerStore.open({ path: join(dir, "in-thread.db"), now: () => T0, rollupEvery: 100 });
    const batches = [Array.from({ length: 250 }, (_, i) => row(i)), [row(250)], Array.from({ length: 40 }, (_, i) => row(251 + i))];
    // Through the group-committing Ledger, as the gateway writes: concurrent calls, all acknowledged.
    const ledger = new Ledger(threaded);
    await Promise.all(batches.map((rows) => ledger.record(rows)));
    for (const rows of batches) await inThread.append(rows);
    for (const q of [query(), query({ groupBy: ["hour"], clientKeys: ["a"] }), query({ groupBy: ["tag"], tagKey: "team", tags: { team: "x" } })]) {
      expect(await threaded.aggregate(q)).toEqual(await inThread.aggregate(q));
    }
    await threaded.rollUp();
    expect(await threaded.aggregate(query())).toEqual(await inThread.aggregate(query()));

    // Rows of the first two days (48 hourly requests) go.
    expect(await threaded.prune(T0 + 2 * DAY)).toBe(48);
    expect(await inThread.prune(T0 + 2 * DAY)).toBe(48);
    expect(await threaded.aggregate(query({ groupBy: [] }))).toEqual(await inThread.aggregate(query({ groupBy: [] })));
    await ledger.close();
    await expect(threaded.append([row(999)])).rejects.toThrow(/closed/);
    await inThread.close();
    expect(errors).toEqual([]);

    const reopened = SqliteLedgerStore.open({ path: threadedPath, now: () => T0 });
    const [total] = await reopened.aggregate(query({ groupBy: [] }));
    expect(total?.requests).toBe(291n - 48n);
    await reopened.close();
  });

  it("answers reports of an in-memory ledger from the writer", async () => {
    const store = await ThreadedLedgerStore.open({ path: ":memory:", now: () => T0, workerUrl: WRITER });
    try {
      await store.append([row(0), row(1), row(2)]);
      const [total] = await store.aggregate(query({ groupBy: [] }));
      expect(total?.requests).toBe(3n);
      expect(total?.costPicos).toBe(1_000n + 1_001n + 1_002n);
    } finally {
      await store.close();
    }
  });

  it("refuses to open a file it cannot create, saying which", async () => {
    const path = join(dir, "no-such-dir", "ledger.db");
    await expect(ThreadedLedgerStore.open({ path, now: () => T0, workerUrl: WRITER })).rejects.toThrow(`cannot open the usage ledger at ${path}`);
  });

  it("fails only the requests a stopped writer had not answered, and starts a new writer for the next", async () => {
    // The real writer, plus a hook that stops its thread on a prune before 1970.
    const script = join(dir, "stopping-writer.mjs");
    writeFileSync(
      script,
      `import ${JSON.stringify(WRITER.href)};
process.on("message", (m) => { if (m.op === "prune" && m.beforeMs < 0) process.exit(3); });`,
    );
    const errors: unknown[] = [];
    const store = await ThreadedLedgerStore.open({ path: join(dir, "ledger.db"), now: () => T0, onError: (e) => errors.push(e), workerUrl: pathToFileURL(script), reportWorkerUrl: READER });
    try {
      await store.append([row(0)]);
      await expect(store.prune(-1)).rejects.toThrow(/stopped \(exit code 3\)/);
      expect(String(errors[0])).toMatch(/stopped \(exit code 3\)/);
      await store.append([row(1)]);
      const [total] = await store.aggregate(query({ groupBy: [] }));
      expect(total?.requests).toBe(2n);
    } finally {
      await store.close();
    }
  });

  it("outlives a writer killed with SIGBUS under load: what it had in flight fails as of unknown commit, a new writer takes the next", async () => {
    const errors: unknown[] = [];
    const store = await ThreadedLedgerStore.open({ path: join(dir, "ledger.db"), now: () => T0, onError: (e) => errors.push(e), workerUrl: WRITER, reportWorkerUrl: READER });
    const ledger = new Ledger(store);
    const first = store.writerPid;
    if (first === undefined) throw new Error("no writer process");
    let n = 0;
    let acked = 0;
    let stop = false;
    const failures: unknown[] = [];
    // Sixteen callers recording one row at a time: at any timer tick a batch is in the writer.
    const caller = async (): Promise<void> => {
      while (!stop) {
        try {
          await ledger.record([row(n++)]);
          acked++;
        } catch (err) {
          failures.push(err);
        }
      }
    };
    try {
      const callers = Array.from({ length: 16 }, caller);
      await until(() => acked >= 500);
      process.kill(first, "SIGBUS");
      const before = acked;
      await until(() => acked >= before + 300 && store.writerPid !== undefined);
      stop = true;
      await Promise.all(callers);
      expect(failures.length).toBeGreaterThan(0);
      expect(failures.map(String)).toEqual(failures.map(() => expect.stringMatching(/the usage ledger writer stopped \(signal SIGBUS\); whether it committed the rows it was sent is unknown/)));
      expect(errors.map(String)).toEqual([expect.stringMatching(/signal SIGBUS/)]);
      expect(store.writerPid).not.toBe(first);
      // Every acknowledged row is stored; of those in flight at the kill, some may be.
      const [total] = await store.aggregate(query({ groupBy: [], startMs: 0, endMs: Number.MAX_SAFE_INTEGER }));
      expect(total?.requests).toBeGreaterThanOrEqual(BigInt(acked));
      expect(total?.requests).toBeLessThanOrEqual(BigInt(acked + failures.length));
    } finally {
      stop = true;
      await ledger.close();
    }
  });

  it("rejects, when closed, what the writer never answered, and refuses what comes after", async () => {
    // A writer that opens and closes but never answers anything else.
    const script = join(dir, "silent-writer.mjs");
    writeFileSync(
      script,
      `process.send({ kind: "ready", schemaVersion: 1 });
process.on("message", (m) => { if (m.op === "close") process.send({ kind: "reply", id: m.id, ok: true, value: undefined }); });`,
    );
    const store = await ThreadedLedgerStore.open({ path: ":memory:", now: () => T0, workerUrl: pathToFileURL(script) });
    const pruning = store.prune(T0);
    await store.close();
    await expect(pruning).rejects.toThrow(/closed before this request was answered/);
    await expect(store.append([row(0)])).rejects.toThrow(/closed/);
  });

  it("starts a new writer when one could not open the file, and says why in the meantime", async () => {
    // A writer that cannot open the file while a marker exists, and stops on a prune before 1970.
    const marker = join(dir, "locked");
    const script = join(dir, "flaky-writer.mjs");
    writeFileSync(
      script,
      `import { existsSync } from "node:fs";
if (existsSync(${JSON.stringify(marker)})) {
  process.send({ kind: "unopened", error: "cannot open the usage ledger: locked" }, () => process.exit(0));
} else {
  process.send({ kind: "ready", schemaVersion: 1 });
  process.on("message", (m) => {
    if (m.op === "prune" && m.beforeMs < 0) process.exit(3);
    process.send({ kind: "reply", id: m.id, ok: true, value: m.op === "prune" ? 7 : undefined });
  });
}`,
    );
    const errors: unknown[] = [];
    const store = await ThreadedLedgerStore.open({ path: ":memory:", now: () => T0, onError: (e) => errors.push(e), workerUrl: pathToFileURL(script) });
    try {
      await expect(store.prune(-1)).rejects.toThrow(/stopped \(exit code 3\)/);
      writeFileSync(marker, "");
      await expect(store.append([row(0)])).rejects.toThrow("cannot open the usage ledger: locked");
      expect(errors.map(String)).toEqual([expect.stringMatching(/exit code 3/), expect.stringMatching(/locked/)]);
      rmSync(marker);
      expect(await store.prune(T0)).toBe(7);
    } finally {
      await store.close();
    }
  });
});

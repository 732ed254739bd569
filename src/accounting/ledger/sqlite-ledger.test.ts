import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LedgerRecord } from "./ledger-record.js";
import { testUid } from "../../../test/helpers/ledger-row.js";
import type { AggregateQuery } from "./ledger-store.js";
import { SCHEMA_VERSION } from "./sqlite-schema.js";
import { SqliteLedgerStore } from "./sqlite-ledger.js";
import { openSqlite } from "./sqlite-driver.js";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 10);

function row(id: string, timeMs: number, over: Partial<LedgerRecord> = {}): LedgerRecord {
  return {
    uid: testUid(`${id}-${timeMs}-${over.attempt ?? 1}`), timeMs, requestId: id, clientKey: "k", tags: { team: "a" }, route: undefined, model: "m", provider: "p",
    inputTokens: 10, outputTokens: 5, cachedInputTokens: undefined, cacheWriteTokens: undefined, usageUnknown: false, usageBasis: "reported",
    costPicos: 1_000n, latencyMs: 100, ttftMs: undefined, outcome: "succeeded", attempt: 1, failover: false, retry: false, hedge: false,
    streamed: false, errorKind: undefined, request: { outcome: "succeeded", latencyMs: 100, ttftMs: undefined }, ...over,
  };
}

const ALL: AggregateQuery = { startMs: 0, endMs: T0 + 400 * DAY, models: [], providers: [], clientKeys: [], tags: {}, groupBy: [], tagKey: undefined, latency: true };

async function total(store: SqliteLedgerStore, q: Partial<AggregateQuery> = {}): Promise<{ requests: bigint; costPicos: bigint; inputTokens: bigint }> {
  const [g] = await store.aggregate({ ...ALL, ...q });
  return { requests: g?.requests ?? 0n, costPicos: g?.costPicos ?? 0n, inputTokens: g?.inputTokens ?? 0n };
}

describe("SqliteLedgerStore", () => {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ledger-test-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("creates the file with every schema version applied on first start and reopens it without migrating again", async () => {
    const path = join(dir, "sub-not-needed.db");
    const first = SqliteLedgerStore.open({ path, now: () => T0 });
    expect(first.schemaVersion).toBe(SCHEMA_VERSION);
    await first.append([row("r1", T0), row("r2", T0 + 1)]);
    await first.close();
    const second = SqliteLedgerStore.open({ path, now: () => T0 + DAY });
    expect(await total(second)).toEqual({ requests: 2n, costPicos: 2_000n, inputTokens: 20n });
    await second.close();
    const db = openSqlite(path);
    expect(db.prepare("SELECT version, applied_at_ms FROM schema_version").raw(true).all()).toEqual([[1, T0], [2, T0], [3, T0], [4, T0], [5, T0]]);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
  });

  it("refuses a file written by a newer schema version", async () => {
    const path = join(dir, "future.db");
    await SqliteLedgerStore.open({ path, now: () => T0 }).close();
    const db = openSqlite(path);
    db.prepare("INSERT INTO schema_version (version, applied_at_ms) VALUES (?, 0)").run([SCHEMA_VERSION + 1]);
    db.close();
    expect(() => SqliteLedgerStore.open({ path, now: () => T0 })).toThrow(/newer/);
  });

  it("keeps unknown token counts NULL, apart from 0, and sums only the known ones", async () => {
    const path = join(dir, "unknown.db");
    const store = SqliteLedgerStore.open({ path, now: () => T0 });
    await store.append([row("a", T0, { inputTokens: undefined, usageUnknown: true }), row("b", T0, { inputTokens: 7 }), row("c", T0, { inputTokens: 0 })]);
    const [g] = await store.aggregate(ALL);
    expect(g).toMatchObject({ inputTokens: 7n, unknownUsageAttempts: 1n });
    await store.close();
    const db = openSqlite(path);
    expect(db.prepare("SELECT input_tokens FROM ledger ORDER BY id").pluck().all()).toEqual([null, 7, 0]);
    db.close();
  });

  it("stores a batch all or nothing", async () => {
    const store = SqliteLedgerStore.open({ path: ":memory:", now: () => T0 });
    const broken = { ...row("bad", T0, { tags: { fresh: "tagset" } }), outcome: "exploded" as "failed" };
    await expect(store.append([row("good", T0, { tags: { fresh: "tagset" } }), broken])).rejects.toThrow(/CHECK/);
    expect((await total(store)).requests).toBe(0n);
    // The tag set created by the failed batch was rolled back too; the next batch must recreate it.
    await store.append([row("again", T0, { tags: { fresh: "tagset" } })]);
    expect((await total(store, { tags: { fresh: "tagset" } })).requests).toBe(1n);
    await store.close();
  });

  it("folds rows into the rollups in the background once enough wait, and reports the same before and after", async () => {
    const store = SqliteLedgerStore.open({ path: ":memory:", now: () => T0, rollupEvery: 10 });
    const rows = Array.from({ length: 25 }, (_, i) => row(`r${i}`, T0 + i * 1_000_000, { costPicos: BigInt(i) }));
    await store.append(rows.slice(0, 5));
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.watermark).toBe(0);
    const before = await store.aggregate({ ...ALL, groupBy: ["hour"] });
    await store.append(rows.slice(5));
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.watermark).toBe(25);
    const after = await store.aggregate({ ...ALL, groupBy: ["hour"], endMs: T0 + 5 * 1_000_000 });
    const byKey = (a: { key: readonly string[] }, b: { key: readonly string[] }): number => (a.key.join() < b.key.join() ? -1 : 1);
    expect([...after].sort(byKey)).toEqual([...before].sort(byKey));
    expect(before).toHaveLength(2);
    expect(await total(store)).toMatchObject({ requests: 25n, costPicos: 300n });
    await store.close();
  });

  it("prunes whole days of rows and rollups, and ids keep growing after everything is pruned", async () => {
    const path = join(dir, "prune.db");
    const store = SqliteLedgerStore.open({ path, now: () => T0 });
    await store.append([row("old", T0 - 3 * DAY), row("edge", T0 - DAY + 5), row("new", T0 + 5)]);
    await store.rollUp();
    expect(await store.prune(T0 - DAY + 3_600_000)).toBe(1);
    expect((await total(store)).requests).toBe(2n);
    expect((await total(store, { startMs: 0, endMs: T0 - DAY })).requests).toBe(0n);
    expect(await store.prune(T0 + 2 * DAY)).toBe(2);
    expect((await total(store)).requests).toBe(0n);
    await store.append([row("later", T0 + 2 * DAY)]);
    expect((await total(store)).requests).toBe(1n);
    await store.close();
    const db = openSqlite(path);
    expect(db.prepare("SELECT id FROM ledger").pluck().all()).toEqual([4]);
    db.close();
  });
  it("counts every row once when several processes write and fold one file (serve --workers)", async () => {
    const path = join(dir, "shared.db");
    const a = SqliteLedgerStore.open({ path, now: () => T0, rollupEvery: 0 });
    const b = SqliteLedgerStore.open({ path, now: () => T0, rollupEvery: 0 });
    for (let i = 0; i < 40; i++) {
      const store = i % 2 === 0 ? a : b;
      await store.append([row(`r${i}`, T0 + i * 60_000)]);
      // Each folds with the watermark it saw at open (stale for the other's folds) unless it reads it anew.
      if (i % 3 === 0) await a.rollUp();
      if (i % 5 === 0) await b.rollUp();
    }
    await b.rollUp();
    expect(await total(a)).toEqual({ requests: 40n, costPicos: 40_000n, inputTokens: 400n });
    expect(await total(b)).toEqual({ requests: 40n, costPicos: 40_000n, inputTokens: 400n });
    await a.close();
    await b.close();
  });
});

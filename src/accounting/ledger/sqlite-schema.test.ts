/**
 * Schema v2 on a file written at v1: the retry column, and the rows and rollups of v1 reclassified alike. v3 on a v2
 * file: the usage basis. v4 on a v3 file: row uids, each stored once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LedgerRecord } from "./ledger-record.js";
import { testUid } from "../../../test/helpers/ledger-row.js";
import type { AggregateQuery, GroupAggregate } from "./ledger-store.js";
import { openSqlite } from "./sqlite-driver.js";
import { SqliteLedgerStore } from "./sqlite-ledger.js";
import { MIGRATIONS, SCHEMA_VERSION, migrate } from "./sqlite-schema.js";

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 10);

/** v1 rows: [request, hour, model, attempt, outcome, failover, hedge, final]; v1 marked every attempt after a failure a failover. */
const V1_ROWS: readonly (readonly [string, number, string, number, string, number, number, number])[] = [
  // A retry of a, then a failover to b.
  ["r", 1, "a", 1, "failed", 0, 0, 0],
  ["r", 1, "a", 2, "failed", 1, 0, 0],
  ["r", 1, "b", 3, "succeeded", 1, 0, 1],
  // A failover to b, then a hedge to c that won.
  ["h", 2, "a", 1, "failed", 0, 0, 0],
  ["h", 2, "b", 2, "aborted", 1, 0, 0],
  ["h", 2, "c", 3, "succeeded", 1, 1, 1],
  // Not rolled up yet: a retry of m.
  ["late", 3, "m", 1, "failed", 0, 0, 0],
  ["late", 3, "m", 2, "succeeded", 1, 0, 1],
];
const FOLDED = 6;

/** Writes a v1 file: its rows, and rollups of the first FOLDED rows as v1 folded them (sums only, no sketches). */
function writeV1(path: string): void {
  const db = openSqlite(path);
  migrate(db, T0, MIGRATIONS.filter((m) => m.version === 1));
  db.exec("INSERT INTO tagsets (id, tags) VALUES (1, '[]')");
  const insert = db.prepare(`INSERT INTO ledger (time_ms, request_id, tagset_id, model, provider, usage_unknown, cost_picos, latency_ms,
    outcome, attempt, failover, hedge, streamed, final, request_outcome) VALUES (?, ?, 1, ?, 'p', 0, 0, 10, ?, ?, ?, ?, 0, ?, ?)`);
  for (const [id, hour, model, attempt, outcome, failover, hedge, final] of V1_ROWS) {
    insert.run([T0 + hour * HOUR, id, model, outcome, attempt, failover, hedge, final, final === 1 ? "succeeded" : null]);
  }
  for (const [table, bucket] of [["rollup_hour", HOUR], ["rollup_day", 24 * HOUR]] as const) {
    db.exec(`INSERT INTO ${table} (bucket, model, provider, client_key, route, tagset_id, requests, successes, attempts, failovers, hedges,
      input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, uncached_input_tokens, unknown_usage_attempts, cost_micros, cost_pico_rest)
      SELECT time_ms / ${bucket}, model, provider, '', '', tagset_id, SUM(final), COALESCE(SUM(request_outcome = 'succeeded'), 0), COUNT(*), SUM(failover), SUM(hedge),
        0, 0, 0, 0, 0, 0, 0, 0
      FROM ledger WHERE id <= ${FOLDED} GROUP BY 1, 2, 3, 6`);
  }
  db.exec(`UPDATE rollup_state SET watermark = ${FOLDED}`);
  db.close();
}

const ALL: AggregateQuery = { startMs: 0, endMs: T0 + 30 * 24 * HOUR, models: [], providers: [], clientKeys: [], tags: {}, groupBy: [], tagKey: undefined, latency: false };

const counts = (groups: readonly GroupAggregate[]): Record<string, [bigint, bigint, bigint, bigint]> =>
  Object.fromEntries(groups.map((g) => [g.key.join("/"), [g.attempts, g.failovers, g.retries, g.hedges]]));

describe("ledger schema v2", () => {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ledger-schema-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("adds the retry column to a v1 file and moves v1's retries and hedges out of failovers, in rows and rollups alike", async () => {
    const path = join(dir, "v1.db");
    writeV1(path);
    const store = SqliteLedgerStore.open({ path, now: () => T0 + 30 * 24 * HOUR });
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    // [attempts, failovers, retries, hedges]: whole days read rollup_day, hours read rollup_hour, plus the raw tail either way.
    expect(counts(await store.aggregate({ ...ALL, groupBy: ["model"] }))).toEqual({
      a: [3n, 0n, 1n, 0n],
      b: [2n, 2n, 0n, 0n],
      c: [1n, 0n, 0n, 1n],
      m: [2n, 0n, 1n, 0n],
    });
    const hour = (h: number): string => String(T0 / HOUR + h);
    expect(counts(await store.aggregate({ ...ALL, groupBy: ["hour"] }))).toEqual({
      [hour(1)]: [3n, 1n, 1n, 0n],
      [hour(2)]: [3n, 1n, 0n, 1n],
      [hour(3)]: [2n, 0n, 1n, 0n],
    });
    await store.close();
    const db = openSqlite(path);
    expect(db.prepare("SELECT model, failover, retry FROM ledger ORDER BY id").raw(true).all()).toEqual([
      ["a", 0, 0], ["a", 0, 1], ["b", 1, 0], ["a", 0, 0], ["b", 1, 0], ["c", 0, 0], ["m", 0, 0], ["m", 0, 1],
    ]);
    db.close();
  });

  it("stores the retry flag of new rows", async () => {
    const store = SqliteLedgerStore.open({ path: ":memory:", now: () => T0 });
    const row = { uid: testUid("x-2"), timeMs: T0, requestId: "x", clientKey: undefined, tags: {}, route: undefined, model: "m", provider: "p", inputTokens: 1, outputTokens: 1,
      cachedInputTokens: undefined, cacheWriteTokens: undefined, usageUnknown: false, usageBasis: "reported" as const, costPicos: 0n, latencyMs: 1, ttftMs: undefined,
      outcome: "succeeded" as const, attempt: 2, failover: false, retry: true, hedge: false, streamed: false, errorKind: undefined,
      request: { outcome: "succeeded" as const, latencyMs: 1, ttftMs: undefined } };
    await store.append([row]);
    expect(counts(await store.aggregate(ALL))).toEqual({ "": [1n, 0n, 1n, 0n] });
    await store.rollUp();
    expect(counts(await store.aggregate(ALL))).toEqual({ "": [1n, 0n, 1n, 0n] });
    await store.close();
  });
});

/** Writes a v2 file of three requests (cost 1_000_000_007 picos each), the first two folded into the rollups as v2 folded them. */
function writeV2(path: string): void {
  const db = openSqlite(path);
  migrate(db, T0, MIGRATIONS.filter((m) => m.version <= 2));
  db.exec("INSERT INTO tagsets (id, tags) VALUES (1, '[]')");
  const insert = db.prepare(`INSERT INTO ledger (time_ms, request_id, tagset_id, model, provider, usage_unknown, cost_picos, latency_ms,
    outcome, attempt, failover, retry, hedge, streamed, final, request_outcome) VALUES (?, ?, 1, 'm', 'p', 0, 1000000007, 10, 'succeeded', 1, 0, 0, 0, 0, 1, 'succeeded')`);
  for (const [id, hour] of [["v2a", 1], ["v2b", 2], ["v2c", 3]] as const) insert.run([T0 + hour * HOUR, id]);
  for (const [table, bucket] of [["rollup_hour", HOUR], ["rollup_day", 24 * HOUR]] as const) {
    db.exec(`INSERT INTO ${table} (bucket, model, provider, client_key, route, tagset_id, requests, successes, attempts, failovers, retries, hedges,
      input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, uncached_input_tokens, unknown_usage_attempts, cost_micros, cost_pico_rest)
      SELECT time_ms / ${bucket}, model, provider, '', '', tagset_id, SUM(final), SUM(final), COUNT(*), 0, 0, 0, 0, 0, 0, 0, 0, 0,
        SUM(cost_picos / 1000000), SUM(cost_picos % 1000000)
      FROM ledger WHERE id <= 2 GROUP BY 1, 2, 3, 6`);
  }
  db.exec("UPDATE rollup_state SET watermark = 2");
  db.close();
}

const bases = (groups: readonly GroupAggregate[]): Record<string, [bigint, bigint, bigint, bigint, bigint]> =>
  Object.fromEntries(groups.map((g) => [g.key.join("/"), [g.attempts, g.estimatedUsageAttempts, g.boundedUsageAttempts, g.estimatedCostPicos, g.costPicos]]));

describe("ledger schema v3", () => {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ledger-schema-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("adds the usage basis to a v2 file: its rows and rollups read as reported, and new rows of each basis are counted apart", async () => {
    const path = join(dir, "v2.db");
    writeV2(path);
    const store = SqliteLedgerStore.open({ path, now: () => T0 + 30 * 24 * HOUR, rollupEvery: 0 });
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    expect(store.watermark).toBe(3); // opening folds the raw tail, now with the v3 sums
    const v2Cost = 3n * 1_000_000_007n;
    expect(bases(await store.aggregate(ALL))).toEqual({ "": [3n, 0n, 0n, 0n, v2Cost] });
    const row = (id: string, hour: number, usageBasis: LedgerRecord["usageBasis"], costPicos: bigint): LedgerRecord => ({
      uid: testUid(id), timeMs: T0 + hour * HOUR, requestId: id, clientKey: undefined, tags: {}, route: undefined, model: "m", provider: "p", inputTokens: 1, outputTokens: 1,
      cachedInputTokens: undefined, cacheWriteTokens: undefined, usageUnknown: false, usageBasis, costPicos, latencyMs: 1, ttftMs: undefined,
      outcome: "aborted", attempt: 1, failover: false, retry: false, hedge: false, streamed: false, errorKind: "cancelled",
      request: { outcome: "cancelled", latencyMs: 1, ttftMs: undefined },
    });
    await store.append([row("e", 1, "estimated", 2_000_000_003n), row("b", 2, "bounded", 5n), row("r", 3, "reported", 7n)]);
    const expected = { "": [6n, 1n, 1n, 2_000_000_003n, v2Cost + 2_000_000_015n] };
    expect(bases(await store.aggregate(ALL))).toEqual(expected);
    await store.rollUp();
    expect(bases(await store.aggregate(ALL))).toEqual(expected);
    const hour = (h: number): string => String(T0 / HOUR + h);
    expect(bases(await store.aggregate({ ...ALL, groupBy: ["hour"] }))).toEqual({
      [hour(1)]: [2n, 1n, 0n, 2_000_000_003n, 3_000_000_010n],
      [hour(2)]: [2n, 0n, 1n, 0n, 1_000_000_012n],
      [hour(3)]: [2n, 0n, 0n, 0n, 1_000_000_014n],
    });
    await store.close();
    const db = openSqlite(path);
    expect(db.prepare("SELECT request_id, usage_basis FROM ledger ORDER BY id").raw(true).all()).toEqual([
      ["v2a", 0], ["v2b", 0], ["v2c", 0], ["e", 2], ["b", 1], ["r", 0],
    ]);
    expect(() => db.prepare("UPDATE ledger SET usage_basis = 3 WHERE request_id = 'r'").run()).toThrow(/CHECK/);
    db.close();
  });
});

describe("ledger schema v4", () => {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ledger-schema-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("adds row uids to a v3 file: old rows keep a NULL uid, a row appended again (a replayed spill) is stored once", async () => {
    const path = join(dir, "v3.db");
    const db3 = openSqlite(path);
    migrate(db3, T0, MIGRATIONS.filter((m) => m.version <= 3));
    db3.exec("INSERT INTO tagsets (id, tags) VALUES (1, '[]')");
    const insert = db3.prepare(`INSERT INTO ledger (time_ms, request_id, tagset_id, model, provider, usage_unknown, cost_picos, latency_ms,
      outcome, attempt, failover, retry, hedge, streamed, final, request_outcome) VALUES (?, ?, 1, 'm', 'p', 0, 5, 10, 'succeeded', 1, 0, 0, 0, 0, 1, 'succeeded')`);
    for (const id of ["old1", "old2"]) insert.run([T0, id]);
    db3.close();

    const store = SqliteLedgerStore.open({ path, now: () => T0, rollupEvery: 0 });
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    const row = (uid: string, requestId: string): LedgerRecord => ({
      uid: testUid(uid), timeMs: T0, requestId, clientKey: undefined, tags: {}, route: undefined, model: "m", provider: "p", inputTokens: 1, outputTokens: 1,
      cachedInputTokens: undefined, cacheWriteTokens: undefined, usageUnknown: false, usageBasis: "reported", costPicos: 7n, latencyMs: 1, ttftMs: undefined,
      outcome: "succeeded", attempt: 1, failover: false, retry: false, hedge: false, streamed: false, errorKind: undefined,
      request: { outcome: "succeeded", latencyMs: 1, ttftMs: undefined },
    });
    await store.append([row("u1", "new1"), row("u2", "new2")]);
    // The same batch again, and one that overlaps it: only the row not stored yet is added.
    await store.append([row("u1", "new1"), row("u2", "new2")]);
    await store.append([row("u2", "new2"), row("u3", "new3")]);
    const [total] = await store.aggregate(ALL);
    expect([total?.requests, total?.costPicos]).toEqual([5n, 2n * 5n + 3n * 7n]);
    await store.rollUp();
    const [folded] = await store.aggregate(ALL);
    expect([folded?.requests, folded?.costPicos]).toEqual([5n, 2n * 5n + 3n * 7n]);
    await store.close();
    const db = openSqlite(path);
    expect(db.prepare("SELECT request_id, lower(hex(uid)) FROM ledger ORDER BY id").raw(true).all()).toEqual([
      ["old1", ""], ["old2", ""], ["new1", testUid("u1")], ["new2", testUid("u2")], ["new3", testUid("u3")],
    ]);
    expect(db.prepare("SELECT COUNT(*) FROM ledger WHERE uid IS NULL").pluck().get()).toBe(2);
    db.close();
  });
});

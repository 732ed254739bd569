/**
 * Schema v5 on a v4 file: the operation column, and the rollups rebuilt with operation in their key. The reports of
 * the v4 rows stay what they were (all chat), and embeddings rows group and filter apart from them, folded or raw.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ledgerRow, rowsQuery } from "../../../test/helpers/ledger-row.js";
import type { LedgerRecord } from "./ledger-record.js";
import type { GroupAggregate } from "./ledger-store.js";
import { openSqlite } from "./sqlite-driver.js";
import { SqliteLedgerStore } from "./sqlite-ledger.js";
import { MIGRATIONS, SCHEMA_VERSION, migrate } from "./sqlite-schema.js";

const sums = (groups: readonly GroupAggregate[]): Record<string, [bigint, bigint, bigint, bigint]> =>
  Object.fromEntries(groups.map((g) => [g.key.join("/"), [g.requests, g.inputTokens, g.costPicos, g.estimatedUsageAttempts]]));

describe("ledger schema v5", () => {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ledger-v5-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps a v4 file's reports equal, then groups and filters embeddings rows by operation, raw and folded", async () => {
    const path = join(dir, "v4.db");
    // A v4 file with one row written by v4 (no operation column): it reads as chat after the migration.
    const v4 = openSqlite(path);
    migrate(v4, 0, MIGRATIONS.filter((m) => m.version <= 4));
    v4.exec("INSERT INTO tagsets (id, tags) VALUES (1, '[]')");
    v4.exec(`INSERT INTO ledger (time_ms, request_id, tagset_id, model, provider, input_tokens, usage_unknown, cost_picos, latency_ms, outcome, attempt,
      failover, retry, hedge, streamed, final, request_outcome) VALUES (0, 'old', 1, 'm1', 'p', 4, 0, 9, 10, 'succeeded', 1, 0, 0, 0, 0, 1, 'succeeded')`);
    v4.close();
    const rows: LedgerRecord[] = Array.from({ length: 40 }, (_, i) => ledgerRow(i));
    const store = SqliteLedgerStore.open({ path, now: () => 0, rollupEvery: 0 });
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    await store.append(rows.slice(0, 30));
    await store.rollUp();
    await store.append(rows.slice(30));
    const q = rowsQuery({ groupBy: ["model"], latency: false, startMs: 0 });
    const chatOnly = sums(await store.aggregate(q));
    expect(sums(await store.aggregate({ ...q, groupBy: ["operation", "model"] }))).toEqual(
      Object.fromEntries(Object.entries(chatOnly).map(([k, v]) => [`chat/${k}`, v])),
    );

    const embed = (i: number, basis: LedgerRecord["usageBasis"]): LedgerRecord => ({
      ...ledgerRow(100 + i),
      uid: `${"e".repeat(30)}${String(i).padStart(2, "0")}`,
      model: "emb",
      outputTokens: 0,
      usageBasis: basis,
      usageUnknown: basis === "estimated",
      operation: "embeddings",
    });
    await store.append([embed(1, "reported"), embed(2, "estimated")]);
    const grouped = async (): Promise<Record<string, [bigint, bigint, bigint, bigint]>> => sums(await store.aggregate({ ...q, groupBy: ["operation"] }));
    const chatTotal = Object.values(chatOnly).reduce((a, v) => a.map((x, i) => x + (v[i] ?? 0n)) as [bigint, bigint, bigint, bigint], [0n, 0n, 0n, 0n]);
    const expected = { chat: chatTotal, embeddings: [2n, 111n + 112n, 1101n + 1102n, 1n] };
    expect(await grouped()).toEqual(expected);
    await store.rollUp();
    expect(await grouped()).toEqual(expected);
    expect(sums(await store.aggregate({ ...q, operations: ["embeddings"] }))).toEqual({ emb: expected.embeddings });
    expect(sums(await store.aggregate({ ...q, operations: ["chat"] }))).toEqual(chatOnly);
    await store.close();

    const check = openSqlite(path);
    expect(check.prepare("SELECT operation, COUNT(*) FROM ledger GROUP BY 1 ORDER BY 1").raw(true).all()).toEqual([
      [0, 41],
      [1, 2],
    ]);
    expect(() => check.prepare("UPDATE ledger SET operation = 2 WHERE model = 'emb'").run()).toThrow(/CHECK/);
    check.close();
  });

  it("migrates v4 rollups into the rebuilt tables as chat, so folded v4 sums read the same", async () => {
    const path = join(dir, "v4-rollups.db");
    // A v4 file with rollup rows as v4's fold wrote them.
    const db = openSqlite(path);
    migrate(db, 0, MIGRATIONS.filter((m) => m.version <= 4));
    db.exec("INSERT INTO tagsets (id, tags) VALUES (1, '[]')");
    for (const t of ["rollup_hour", "rollup_day"]) {
      db.exec(`INSERT INTO ${t} (bucket, model, provider, client_key, route, tagset_id, requests, successes, attempts, failovers, hedges,
        input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, uncached_input_tokens, unknown_usage_attempts, cost_micros, cost_pico_rest,
        retries, estimated_usage_attempts, bounded_usage_attempts, estimated_cost_micros, estimated_cost_pico_rest)
        VALUES (${t === "rollup_hour" ? 24 * 20_000 : 20_000}, 'm', 'p', '', '', 1, 3, 2, 4, 1, 0, 30, 9, 0, 0, 30, 0, 5, 7, 1, 1, 0, 2, 3)`);
    }
    db.close();
    const store = SqliteLedgerStore.open({ path, now: () => 0, rollupEvery: 0 });
    const q = { ...rowsQuery({ latency: false }), startMs: 20_000 * 86_400_000, endMs: 20_001 * 86_400_000, groupBy: ["operation" as const, "model" as const] };
    const [g] = await store.aggregate(q);
    expect(g?.key).toEqual(["chat", "m"]);
    expect([g?.requests, g?.attempts, g?.retries, g?.inputTokens, g?.costPicos, g?.estimatedUsageAttempts, g?.estimatedCostPicos]).toEqual([3n, 4n, 1n, 30n, 5_000_007n, 1n, 2_000_003n]);
    await store.close();
  });
});

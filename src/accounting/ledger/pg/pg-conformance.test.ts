/**
 * The PostgreSQL store answers every report exactly as the SQLite store does for the same rows: every dimension,
 * filter and range shape, with rows folded into roll-ups, rows not folded yet, late rows in folded hours, and
 * batches appended twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres } from "../../../../test/helpers/postgres-server.js";
import type { PostgresServer } from "../../../../test/helpers/postgres-server.js";
import { variedRows } from "../../../../test/helpers/varied-ledger-rows.js";
import type { AggregateQuery, Dimension, GroupAggregate, LedgerStore } from "../ledger-store.js";
import { SqliteLedgerStore } from "../sqlite-ledger.js";
import { PgLedgerStore } from "./pg-ledger.js";
import { hasSharedServices } from "../../../../test/helpers/tools.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 10, 9, 5, 17);

let server: PostgresServer;
let pgStore: PgLedgerStore;
let sqlite: SqliteLedgerStore;

beforeAll(async () => {
  server = await startPostgres();
  pgStore = await PgLedgerStore.open({ url: await server.database("conformance"), now: () => T0, rollupEvery: 0, rollupIntervalMs: 0 });
  sqlite = SqliteLedgerStore.open({ path: ":memory:", now: () => T0, rollupEvery: 0 });
});

afterAll(async () => {
  await pgStore?.close();
  await sqlite?.close();
  await server?.close();
});

const BASE: AggregateQuery = { startMs: T0 - DAY, endMs: T0 + 10 * DAY, models: [], providers: [], clientKeys: [], tags: {}, groupBy: [], tagKey: undefined, latency: true };
const DIMS: readonly Dimension[] = ["model", "provider", "client_key", "route", "tag", "day", "hour", "operation"];

function queries(): AggregateQuery[] {
  const out: AggregateQuery[] = [];
  const ranges: [number, number][] = [
    [T0 - DAY, T0 + 10 * DAY],
    [T0 + 90 * 60_000 + 123, T0 + 3 * DAY + 7 * 60_000 + 0.5],
    [Math.ceil(T0 / DAY) * DAY, Math.ceil(T0 / DAY) * DAY + 2 * DAY],
    [Math.ceil(T0 / HOUR) * HOUR + 10 * HOUR + 60_000, Math.ceil(T0 / HOUR) * HOUR + 10 * HOUR + 1_800_000],
    [T0 + 2 * DAY, T0 + 2 * DAY],
    [T0 + 2 * DAY + 0.4, T0 + 2 * DAY + 5 * HOUR + 0.6],
    [0, Number.MAX_SAFE_INTEGER],
    [-Infinity, Infinity],
  ];
  for (const [startMs, endMs] of ranges) out.push({ ...BASE, startMs, endMs }, { ...BASE, startMs, endMs, groupBy: ["model", "client_key"] });
  for (const d of DIMS) out.push({ ...BASE, groupBy: [d], tagKey: d === "tag" ? "team" : undefined });
  out.push({ ...BASE, groupBy: ["tag"], tagKey: "env" }, { ...BASE, groupBy: ["tag"], tagKey: undefined }, { ...BASE, groupBy: ["day", "tag", "operation"], tagKey: "team" });
  out.push({ ...BASE, groupBy: ["hour", "model"], startMs: T0 + 30 * 60_000, endMs: T0 + 2 * DAY + 1 });
  const filters: Partial<AggregateQuery>[] = [
    { models: ["m1"] }, { models: ["m2", "route-x", ""] }, { providers: ["q"] }, { providers: [""] }, { clientKeys: [""] }, { clientKeys: ["alpha", ""] },
    { operations: ["embeddings"] }, { operations: ["chat"] }, { operations: ["nope"] }, { tags: { team: "x" } }, { tags: { team: "x", env: "prod" } },
    { tags: { env: "missing" } }, { latency: false }, { models: ["m1", "m3"], clientKeys: ["beta"], tags: { team: "y" }, operations: ["chat", "embeddings"] },
  ];
  for (const f of filters) out.push({ ...BASE, ...f }, { ...BASE, ...f, groupBy: ["route", "provider"], startMs: T0 + 5 * HOUR + 1, endMs: T0 + 4 * DAY - 1 });
  return out;
}

function sorted(groups: readonly GroupAggregate[]): GroupAggregate[] {
  return [...groups].sort((a, b) => (JSON.stringify(a.key) < JSON.stringify(b.key) ? -1 : 1));
}

async function both(rows: Parameters<LedgerStore["append"]>[0]): Promise<void> {
  await pgStore.append(rows);
  await sqlite.append(rows);
}

async function expectSame(label: string): Promise<number> {
  let groups = 0;
  for (const q of queries()) {
    const want = sorted(await sqlite.aggregate(q));
    const got = sorted(await pgStore.aggregate(q));
    expect(got, `${label}: ${JSON.stringify(q)}`).toEqual(want);
    groups += want.length;
  }
  return groups;
}

describe.skipIf(!hasSharedServices())("PgLedgerStore conformance with SqliteLedgerStore", () => {
  it("answers every query as SQLite does: raw rows, folded rows, late rows in folded hours, batches written twice", async () => {
    const rows = variedRows(19, 2_500, T0, 6 * DAY);
    const early = rows.slice(0, 1_600);
    for (let i = 0; i < early.length; i += 97) await both(early.slice(i, i + 97));
    expect(await expectSame("raw only")).toBeGreaterThan(100);

    await pgStore.rollUp();
    await sqlite.rollUp();
    expect(await expectSame("all folded")).toBeGreaterThan(100);

    // Late rows (their hours folded already), then a batch replayed: nothing counts twice.
    const late = rows.slice(1_600);
    for (let i = 0; i < late.length; i += 211) await both(late.slice(i, i + 211));
    await both(early.slice(0, 300));
    await both(late.slice(50, 120));
    await expectSame("folded and unfolded");

    await pgStore.rollUp();
    await expectSame("folded again (SQLite unfolded)");
    const [all] = await pgStore.aggregate(BASE);
    expect(all?.requests).toBe(BigInt(new Set(rows.map((r) => r.requestId)).size));
    expect(all?.attempts).toBe(BigInt(rows.filter((r) => r.attempt > 0).length));
  });
});

/**
 * The PostgreSQL store as several replicas use it: migrating together, appending and folding at the same time
 * (every row counted once), pruning, deadlines, and errors that never show the URL's password.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres } from "../../../../test/helpers/postgres-server.js";
import type { PostgresServer } from "../../../../test/helpers/postgres-server.js";
import { variedRows } from "../../../../test/helpers/varied-ledger-rows.js";
import type { AggregateQuery } from "../ledger-store.js";
import { PgLedgerStore } from "./pg-ledger.js";
import { PG_MIGRATIONS } from "./pg-schema.js";
import { hasSharedServices } from "../../../../test/helpers/tools.js";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 9);
const ALL: AggregateQuery = { startMs: 0, endMs: T0 + 100 * DAY, models: [], providers: [], clientKeys: [], tags: {}, groupBy: [], tagKey: undefined, latency: true };

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.close();
});

async function sql<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const quiet = { rollupEvery: 0, rollupIntervalMs: 0, now: () => T0 };

describe.skipIf(!hasSharedServices())("PgLedgerStore", () => {
  it("migrates once when several replicas start at the same moment, and reopens without migrating", async () => {
    const url = await server.database("migrate_together");
    const stores = await Promise.all(Array.from({ length: 5 }, () => PgLedgerStore.open({ url, ...quiet })));
    await Promise.all(stores.map((s) => s.close()));
    const again = await PgLedgerStore.open({ url, ...quiet, now: () => T0 + DAY });
    await again.close();
    const versions = await sql<{ version: number; applied_at_ms: string }>(url, "SELECT version, applied_at_ms FROM ledger_schema_version ORDER BY version");
    expect(versions).toEqual(PG_MIGRATIONS.map((m) => ({ version: m.version, applied_at_ms: String(T0) })));
  });

  it("refuses a database written by a newer gateway", async () => {
    const url = await server.database("newer");
    await (await PgLedgerStore.open({ url, ...quiet })).close();
    await sql(url, "INSERT INTO ledger_schema_version VALUES (99, 0)");
    await expect(PgLedgerStore.open({ url, ...quiet })).rejects.toThrow(/version 99 is newer/);
  });

  it("counts every row once while three replicas append and fold at the same time", async () => {
    const url = await server.database("replicas");
    const replicas = await Promise.all(Array.from({ length: 3 }, () => PgLedgerStore.open({ url, now: () => T0, rollupEvery: 40, rollupIntervalMs: 20 })));
    const rows = variedRows(7, 3_000, T0, 3 * DAY);
    const batches: (typeof rows)[] = [];
    for (let i = 0; i < rows.length; i += 37) batches.push(rows.slice(i, i + 37));
    // Each replica writes every third batch, and replays (writes again) some of another's.
    await Promise.all(replicas.map(async (store, r) => {
      for (let b = r; b < batches.length; b += 3) {
        await store.append(batches[b] ?? []);
        if (b % 5 === 0) await store.append(batches[Math.max(0, b - 4)] ?? []);
      }
    }));
    await Promise.all(replicas.map((s) => s.rollUp()));
    const before = await replicas[1]?.aggregate(ALL);
    // Folds may skip while another replica holds the lock: fold until nothing is left.
    for (let i = 0; i < 10 && Number((await sql<{ n: string }>(url, "SELECT count(*) AS n FROM ledger_unfolded"))[0]?.n) > 0; i++) await replicas[0]?.rollUp();
    const after = await replicas[2]?.aggregate(ALL);
    await Promise.all(replicas.map((s) => s.close()));
    const [all] = after ?? [];
    expect(all?.attempts).toBe(BigInt(rows.filter((r) => r.attempt > 0).length));
    expect(all?.requests).toBe(BigInt(new Set(rows.map((r) => r.requestId)).size));
    expect(all?.costPicos).toBe(rows.reduce((s, r) => s + r.costPicos, 0n));
    expect(after).toEqual(before);
    expect(await sql(url, "SELECT count(*)::int AS n FROM ledger_unfolded")).toEqual([{ n: 0 }]);
  });

  it("prunes whole UTC days of rows and roll-ups, from one replica or two at once, and again to no effect", async () => {
    const url = await server.database("prune");
    const a = await PgLedgerStore.open({ url, ...quiet });
    const b = await PgLedgerStore.open({ url, ...quiet });
    const rows = variedRows(3, 2_000, T0, 10 * DAY);
    await a.append(rows.slice(0, 1_200));
    await a.rollUp();
    await a.append(rows.slice(1_200));
    const cut = T0 + 4 * DAY + 5 * 3_600_000; // rounds down to T0 + 4 days
    const [n1, n2] = await Promise.all([a.prune(cut), b.prune(cut)]);
    const kept = rows.filter((r) => r.timeMs >= T0 + 4 * DAY);
    expect((n1 ?? 0) + (n2 ?? 0)).toBe(rows.length - kept.length);
    expect(await a.prune(cut)).toBe(0);
    const [all] = await b.aggregate(ALL);
    expect(all?.attempts).toBe(BigInt(kept.filter((r) => r.attempt > 0).length));
    expect(all?.costPicos).toBe(kept.reduce((s, r) => s + r.costPicos, 0n));
    expect(await sql(url, "SELECT count(*)::int AS n FROM ledger_rollup_hour WHERE bucket < $1", [(T0 + 4 * DAY) / 3_600_000])).toEqual([{ n: 0 }]);
    await a.close();
    await b.close();
  });

  it("rejects within the deadline when PostgreSQL does not answer, never showing the password", async () => {
    const url = await server.database("deadline");
    const store = await PgLedgerStore.open({ url, ...quiet, timeoutMs: 300 });
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    await locker.query("BEGIN");
    await locker.query("LOCK TABLE ledger IN ACCESS EXCLUSIVE MODE");
    const started = Date.now();
    const err: unknown = await store.append(variedRows(1, 1, T0, 1)).catch((e: unknown) => e);
    const took = Date.now() - started;
    await locker.query("ROLLBACK");
    await locker.end();
    expect(err).toBeInstanceOf(Error);
    expect(took).toBeLessThan(1_500);
    await store.close();

    // A wrong password: PostgreSQL's refusal, without the password itself.
    const wrong = url.replace(server.password, "Secret-Passw0rd");
    const refused: unknown = await PgLedgerStore.open({ url: wrong, ...quiet, timeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Error);
    const text = `${String(refused)} ${JSON.stringify(refused)} ${(refused as Error).stack ?? ""}`;
    expect(text).not.toContain("Secret-Passw0rd");
    expect(text).toMatch(/password authentication failed|28P01/);

    // Nothing listening: connection refused, quickly, without the password.
    const closed = url.replace(`:${server.port}/`, ":1/");
    const down: unknown = await PgLedgerStore.open({ url: closed, ...quiet, timeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(String(down)).toMatch(/ECONNREFUSED|connect/);
    expect(`${String(down)} ${JSON.stringify(down)}`).not.toContain(server.password);
  });

  it("rejects within the deadline while PostgreSQL is frozen, and a replay after it thaws stores each row once", async () => {
    const url = await server.database("frozen");
    const store = await PgLedgerStore.open({ url, ...quiet, timeoutMs: 500 });
    const rows = variedRows(11, 40, T0, DAY);
    await store.append(rows.slice(0, 10));
    server.signal("SIGSTOP");
    let thawed = false;
    try {
      for (const batch of [rows.slice(10, 25), rows.slice(25)]) {
        // The first waits on a connection that hangs mid-statement, the second on a connection that cannot be made.
        const started = Date.now();
        await expect(store.append(batch)).rejects.toThrow(/no answer within 500 ms|timeout/);
        expect(Date.now() - started).toBeLessThan(2_000);
      }
    } finally {
      server.signal("SIGCONT");
      thawed = true;
    }
    expect(thawed).toBe(true);
    // What the frozen server received may commit after it thaws: the replay (as the spill does) stores nothing twice.
    const end = Date.now() + 15_000;
    for (;;) {
      try {
        await store.append(rows.slice(10));
        break;
      } catch (err) {
        if (Date.now() > end) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    await store.close();
    const stored = await sql<{ n: number; d: number }>(url, "SELECT count(*)::int AS n, count(DISTINCT uid)::int AS d FROM ledger");
    expect(stored).toEqual([{ n: rows.length, d: rows.length }]);
  });
});

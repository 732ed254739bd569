/**
 * Never losing an answered request on PostgreSQL: a Ledger over the PostgreSQL store with a spill journal records
 * rows continuously while PostgreSQL is stopped (pg_ctl stop -m fast) and started again, or while another connection
 * holds an ACCESS EXCLUSIVE lock on the ledger (PostgreSQL slow): no record() waits much past the timeout, none is
 * refused, and afterwards every acknowledged row is stored exactly once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres } from "../../../../test/helpers/postgres-server.js";
import type { PostgresServer } from "../../../../test/helpers/postgres-server.js";
import { variedRows } from "../../../../test/helpers/varied-ledger-rows.js";
import { Ledger } from "../ledger.js";
import type { LedgerRecord } from "../ledger-record.js";
import type { LedgerState } from "../ledger-state.js";
import { SpillJournal } from "../spill.js";
import { PgLedgerStore } from "./pg-ledger.js";
import { hasSharedServices } from "../../../../test/helpers/tools.js";

const TIMEOUT_MS = 800;

let server: PostgresServer;
let dir: string;

beforeAll(async () => {
  server = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), "pg-durability-"));
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Records requests until `stop()`; keeps the acknowledged rows, the refusals and the slowest record(). */
function recordContinuously(ledger: Ledger, seed: number): { stop: () => Promise<void>; acked: LedgerRecord[]; refused: unknown[]; slowestMs: () => number; states: Set<LedgerState> } {
  const acked: LedgerRecord[] = [];
  const refused: unknown[] = [];
  const states = new Set<LedgerState>();
  let slowest = 0;
  let running = true;
  const off = ledger.onState((c) => states.add(c.state));
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const rows = variedRows(seed * 100_000 + i, 3, Date.now() - 1_000, 1_000);
      const started = Date.now();
      await Promise.all([ledger.record(rows.slice(0, 2)).then(() => acked.push(...rows.slice(0, 2)), (e: unknown) => refused.push(e)), ledger.record(rows.slice(2)).then(() => acked.push(...rows.slice(2)), (e: unknown) => refused.push(e))]);
      slowest = Math.max(slowest, Date.now() - started);
      await sleep(5);
    }
  })();
  return { stop: async () => { running = false; await loop; off(); }, acked, refused, slowestMs: () => slowest, states };
}

async function untilOk(ledger: Ledger, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (ledger.state !== "ok" && Date.now() < end) {
    await ledger.probe();
    await sleep(100);
  }
  expect(ledger.state).toBe("ok");
}

/** How many times each acknowledged uid is stored, and how many rows the table holds. */
async function stored(url: string, rows: readonly LedgerRecord[]): Promise<{ matched: number; distinct: number; total: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const uids = rows.map((r) => r.uid);
    const m = await client.query<{ n: string; d: string }>("SELECT count(*) AS n, count(DISTINCT uid) AS d FROM ledger WHERE uid = ANY($1::uuid[])", [uids]);
    const t = await client.query<{ n: string }>("SELECT count(*) AS n FROM ledger");
    return { matched: Number(m.rows[0]?.n), distinct: Number(m.rows[0]?.d), total: Number(t.rows[0]?.n) };
  } finally {
    await client.end();
  }
}

describe.skipIf(!hasSharedServices())("Ledger over PgLedgerStore when PostgreSQL fails", () => {
  it("keeps every acknowledged row through a stop and start of PostgreSQL, each stored once", async () => {
    const url = await server.database("outage");
    const store = await PgLedgerStore.open({ url, now: () => Date.now(), timeoutMs: TIMEOUT_MS, rollupEvery: 50, rollupIntervalMs: 300 });
    const ledger = new Ledger(store, { spill: new SpillJournal(join(dir, "outage.spill")), probeMs: 200 });
    const run = recordContinuously(ledger, 1);
    await sleep(800);
    await server.stop();
    await sleep(3_000);
    await server.start();
    await sleep(1_500);
    await run.stop();
    await untilOk(ledger, 20_000);
    await ledger.close();

    expect(run.refused).toEqual([]);
    expect(run.states.has("spilling")).toBe(true);
    expect(run.slowestMs()).toBeLessThan(TIMEOUT_MS + 1_500);
    expect(run.acked.length).toBeGreaterThan(300);
    const s = await stored(url, run.acked);
    expect(s).toEqual({ matched: run.acked.length, distinct: run.acked.length, total: run.acked.length });
  }, 60_000);

  it("spills within the timeout while a lock holds the ledger, and stores every row once when it is released", async () => {
    const url = await server.database("slow");
    const store = await PgLedgerStore.open({ url, now: () => Date.now(), timeoutMs: TIMEOUT_MS, rollupEvery: 50, rollupIntervalMs: 300 });
    const ledger = new Ledger(store, { spill: new SpillJournal(join(dir, "slow.spill")), probeMs: 200 });
    const run = recordContinuously(ledger, 2);
    await sleep(500);
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    await locker.query("BEGIN");
    await locker.query("LOCK TABLE ledger IN ACCESS EXCLUSIVE MODE");
    await sleep(3_000);
    await locker.query("COMMIT");
    await locker.end();
    await sleep(1_000);
    await run.stop();
    await untilOk(ledger, 20_000);

    // A report covers every acknowledged row once (folded or not).
    await store.rollUp();
    const [all] = await ledger.aggregate({ startMs: 0, endMs: Date.now() + 86_400_000, models: [], providers: [], clientKeys: [], tags: {}, groupBy: [], tagKey: undefined, latency: false });
    await ledger.close();

    expect(run.refused).toEqual([]);
    expect(run.states.has("spilling")).toBe(true);
    expect(run.slowestMs()).toBeLessThan(TIMEOUT_MS + 1_500);
    const s = await stored(url, run.acked);
    expect(s).toEqual({ matched: run.acked.length, distinct: run.acked.length, total: run.acked.length });
    expect(all?.attempts).toBe(BigInt(run.acked.filter((r) => r.attempt > 0).length));
  }, 60_000);
});

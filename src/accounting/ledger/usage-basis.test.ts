/**
 * The usage basis of a row (reported, bounded, estimated) survives the store: in its column, in the group sums of
 * raw rows and of rollups, on the in-thread store and through the writer thread alike; a refusal row is reported.
 * The workers are the compiled scripts in dist/ (the test global setup builds them).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ROWS_T0 as T0, ledgerRow, rowsQuery as query } from "../../../test/helpers/ledger-row.js";
import type { LedgerRecord, LedgerUsageBasis } from "./ledger-record.js";
import { recordProblem, refusalRecord } from "./ledger-record.js";
import type { GroupAggregate, LedgerStore } from "./ledger-store.js";
import { ThreadedLedgerStore } from "./ledger-writer.js";
import { openSqlite } from "./sqlite-driver.js";
import { SqliteLedgerStore } from "./sqlite-ledger.js";

const DIST = new URL("../../../dist/src/accounting/ledger/", import.meta.url);
const WRITER = new URL("ledger-worker.js", DIST);
const READER = new URL("../report/report-worker.js", DIST);

const BASES: readonly LedgerUsageBasis[] = ["reported", "bounded", "estimated"];

/** One row of each basis (costs 1_000_000_001, _002, _003 picos), then a refusal row. */
function rows(): LedgerRecord[] {
  const attempts = BASES.map((usageBasis, i) => ({ ...ledgerRow(i), usageBasis, costPicos: 1_000_000_001n + BigInt(i) }));
  const refusal = refusalRecord({ timeMs: T0, requestId: "refused", clientKey: "a", tags: {}, route: undefined, target: "m1", reason: "budget_exceeded", streamed: false });
  return [...attempts, refusal];
}

const sums = (g: GroupAggregate | undefined): [bigint, bigint, bigint, bigint, bigint] | undefined =>
  g && [g.attempts, g.estimatedUsageAttempts, g.boundedUsageAttempts, g.estimatedCostPicos, g.costPicos];

const EXPECTED = [3n, 1n, 1n, 1_000_000_003n, 3_000_000_006n];

async function total(store: LedgerStore): Promise<ReturnType<typeof sums>> {
  const [g] = await store.aggregate(query({ groupBy: [] }));
  return sums(g);
}

describe("usage basis in the ledger", () => {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "usage-basis-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("is stored per row as 0, 1, 2 (a refusal as reported) and summed apart before and after the roll-up", async () => {
    const path = join(dir, "ledger.db");
    const store = SqliteLedgerStore.open({ path, now: () => T0, rollupEvery: 0 });
    await store.append(rows());
    expect(await total(store)).toEqual(EXPECTED);
    await store.rollUp();
    expect(store.watermark).toBe(4);
    expect(await total(store)).toEqual(EXPECTED);
    await store.close();
    const db = openSqlite(path);
    expect(db.prepare("SELECT request_id, usage_basis FROM ledger ORDER BY id").raw(true).all()).toEqual([["r0", 0], ["r1", 1], ["r2", 2], ["refused", 0]]);
    db.close();
  });

  it("goes through the writer thread and its report reader as it goes into the in-thread store", async () => {
    const threaded = await ThreadedLedgerStore.open({ path: join(dir, "threaded.db"), now: () => T0, rollupEvery: 0, workerUrl: WRITER, reportWorkerUrl: READER });
    try {
      await threaded.append(rows());
      expect(await total(threaded)).toEqual(EXPECTED);
      await threaded.rollUp();
      expect(await total(threaded)).toEqual(EXPECTED);
      const byModel = await threaded.aggregate(query({ groupBy: ["model"] }));
      expect(Object.fromEntries(byModel.map((g) => [g.key[0], sums(g)]))).toEqual({
        m1: [1n, 0n, 0n, 0n, 1_000_000_001n],
        m2: [2n, 1n, 1n, 1_000_000_003n, 2_000_000_005n],
      });
    } finally {
      await threaded.close();
    }
  });

  it("refuses a row whose basis is none of the three", () => {
    const row = { ...ledgerRow(0), usageBasis: "guessed" as LedgerUsageBasis };
    expect(recordProblem(row)).toMatch(/usageBasis/);
    for (const usageBasis of BASES) expect(recordProblem({ ...ledgerRow(0), usageBasis })).toBeUndefined();
  });
});

/** The budget holds while the ledger fails: spend that is only in the spill journal counts, once, across restarts. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BudgetGuard, clientKeyBudget } from "./budget-guard.js";
import { Ledger } from "../ledger/ledger.js";
import { SpillJournal } from "../ledger/spill.js";
import { ROWS_T0, ledgerRow } from "../../../test/helpers/ledger-row.js";
import { FlakyStore } from "../../../test/helpers/flaky-store.js";

const NOW = ROWS_T0 + 10 * 3_600_000;
const LIMITS = new Map([[clientKeyBudget("a"), 1_500n]]);
const KEY_A = { clientKey: "a", tags: {} };

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "spilled-spend-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Opens a ledger and its budgets as the gateway does at start: replay the spill, load, add what the store did not take. */
async function start(store: FlakyStore, spillPath: string): Promise<{ ledger: Ledger; guard: BudgetGuard; replayed: number }> {
  const ledger = new Ledger(store, { spill: new SpillJournal(spillPath), probeMs: 60_000 });
  const recovery = await ledger.recover();
  const guard = await BudgetGuard.load(ledger, LIMITS, NOW);
  guard.add(recovery.waiting);
  ledger.onCommit((rows) => guard.add(rows));
  return { ledger, guard, replayed: recovery.replayed };
}

describe("budgets over a failing ledger", () => {
  it("keep refusing a key whose spend is only in the spill, after a restart that cannot replay it too, and count it once after one that can", async () => {
    const spillPath = join(dir, "ledger.db.spill");
    const full = new FlakyStore();
    full.mode = "fail";
    const first = await start(full, spillPath);
    expect(first.guard.reserve(KEY_A, 1n, NOW).ok).toBe(true);
    // Rows 0 and 2 are key a's: 1,000 and 1,002 picos, over its 1,500.
    await first.ledger.record([ledgerRow(0), ledgerRow(1), ledgerRow(2)]);
    expect(first.ledger.state).toBe("spilling");
    expect(first.guard.spent(clientKeyBudget("a"), NOW)).toBe(2_002n);
    expect(first.guard.reserve(KEY_A, 1n, NOW)).toMatchObject({ ok: false, scope: "key:a" });
    await first.ledger.close();

    const stillFull = new FlakyStore();
    stillFull.mode = "fail";
    const second = await start(stillFull, spillPath);
    expect([second.replayed, second.ledger.state]).toEqual([0, "spilling"]);
    expect(second.guard.spent(clientKeyBudget("a"), NOW)).toBe(2_002n);
    expect(second.guard.reserve(KEY_A, 1n, NOW)).toMatchObject({ ok: false, scope: "key:a" });
    await second.ledger.close();

    const freed = new FlakyStore();
    const third = await start(freed, spillPath);
    expect([third.replayed, third.ledger.state]).toEqual([3, "ok"]);
    expect(third.guard.spent(clientKeyBudget("a"), NOW)).toBe(2_002n);
    expect(third.guard.reserve(KEY_A, 1n, NOW)).toMatchObject({ ok: false, scope: "key:a" });
    await third.ledger.close();
  });
});

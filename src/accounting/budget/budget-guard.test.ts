import { describe, expect, it } from "vitest";
import { BudgetGuard, GLOBAL_BUDGET, clientKeyBudget, tagBudget } from "./budget-guard.js";
import { Ledger } from "../ledger/ledger.js";
import type { LedgerRecord } from "../ledger/ledger-record.js";
import { testUid } from "../../../test/helpers/ledger-row.js";
import { PICOS_PER_DOLLAR } from "../money/money.js";
import { SqliteLedgerStore } from "../ledger/sqlite-ledger.js";

const NOV = (day: number): number => Date.UTC(2026, 10, day, 12);
const DEC1 = Date.UTC(2026, 11, 1);
const usd = (cents: number): bigint => (BigInt(cents) * PICOS_PER_DOLLAR) / 100n;

function spend(id: string, timeMs: number, clientKey: string | undefined, tags: Record<string, string>, cents: number): LedgerRecord {
  return {
    uid: testUid(`${id}-${timeMs}`), timeMs, requestId: id, clientKey, tags, route: undefined, model: "m", provider: "p", inputTokens: 1, outputTokens: 1,
    cachedInputTokens: undefined, cacheWriteTokens: undefined, usageUnknown: false, usageBasis: "reported", costPicos: usd(cents), latencyMs: 1, ttftMs: undefined,
    outcome: "succeeded", attempt: 1, failover: false, retry: false, hedge: false, streamed: false, errorKind: undefined,
    request: { outcome: "succeeded", latencyMs: 1, ttftMs: undefined },
  };
}

const BUDGETS = new Map([
  [GLOBAL_BUDGET, usd(1000)],
  [clientKeyBudget("k1"), usd(100)],
  [tagBudget("team", "ads"), usd(200)],
]);

async function setup(): Promise<{ ledger: Ledger; guard: BudgetGuard }> {
  const ledger = new Ledger(SqliteLedgerStore.open({ path: ":memory:", now: () => NOV(1) }));
  await ledger.record([
    spend("last-month", Date.UTC(2026, 9, 31, 23, 59), "k1", {}, 500),
    spend("a", NOV(2), "k1", { team: "search" }, 60),
    spend("b", NOV(3), "k2", { team: "ads" }, 150),
  ]);
  const guard = await BudgetGuard.load(ledger, BUDGETS, NOV(20));
  ledger.onCommit((rows) => guard.add(rows));
  return { ledger, guard };
}

describe("BudgetGuard", () => {
  it("loads this UTC month's spend per budgeted scope from the ledger", async () => {
    const { guard, ledger } = await setup();
    expect(guard.spent(clientKeyBudget("k1"), NOV(20))).toBe(usd(60));
    expect(guard.spent(tagBudget("team", "ads"), NOV(20))).toBe(usd(150));
    expect(guard.spent(GLOBAL_BUDGET, NOV(20))).toBe(usd(210));
    expect(guard.check(clientKeyBudget("k1"), NOV(20))).toEqual({ ok: true });
    await ledger.close();
  });

  it("refuses a scope once recorded spend reaches its budget, until the next UTC month", async () => {
    const { guard, ledger } = await setup();
    await ledger.record([spend("c", NOV(20), "k1", {}, 39)]);
    expect(guard.check(clientKeyBudget("k1"), NOV(20)).ok).toBe(true);
    await ledger.record([spend("d", NOV(21), "k1", {}, 1)]);
    expect(guard.check(clientKeyBudget("k1"), NOV(21))).toEqual({ ok: false, scope: "key:k1", spentPicos: usd(100), budgetPicos: usd(100), resetsAt: DEC1 });
    expect(guard.check(clientKeyBudget("k1"), DEC1 - 1).ok).toBe(false);
    expect(guard.check(clientKeyBudget("k1"), DEC1)).toEqual({ ok: true });
    expect(guard.spent(clientKeyBudget("k1"), DEC1)).toBe(0n);
    // A late row of November no longer counts once December has begun.
    guard.add([spend("late", NOV(30), "k1", {}, 100)]);
    expect(guard.spent(clientKeyBudget("k1"), DEC1)).toBe(0n);
    await ledger.close();
  });

  it("checks the global budget, the key's and each tag's, and reports the exhausted one", async () => {
    const { guard, ledger } = await setup();
    const subject = { clientKey: "k2", tags: { team: "ads", env: "prod" } };
    expect(guard.checkRequest(subject, NOV(20))).toEqual({ ok: true });
    await ledger.record([spend("e", NOV(20), "k9", { team: "ads" }, 50)]);
    expect(guard.checkRequest(subject, NOV(20))).toMatchObject({ ok: false, scope: "tag:team=ads", spentPicos: usd(200) });
    expect(guard.checkRequest({ clientKey: "k2", tags: { team: "search" } }, NOV(20))).toEqual({ ok: true });
    await ledger.record([spend("f", NOV(20), undefined, {}, 740)]);
    expect(guard.checkRequest({ clientKey: undefined, tags: {} }, NOV(20))).toMatchObject({ ok: false, scope: "global", spentPicos: usd(1000) });
    await ledger.close();
  });

  it("lets scopes without a budget through", () => {
    const guard = new BudgetGuard(new Map([[clientKeyBudget("k1"), 0n]]), NOV(1));
    expect(guard.check(clientKeyBudget("other"), NOV(1))).toEqual({ ok: true });
    expect(guard.check(clientKeyBudget("k1"), NOV(1)).ok).toBe(false);
  });

  it("reserves a request's worst case on every budgeted scope while each has headroom, and gives it back", () => {
    const guard = new BudgetGuard(new Map([[clientKeyBudget("k1"), usd(10)], [tagBudget("team", "ads"), usd(100)]]), NOV(1));
    const subject = { clientKey: "k1", tags: { team: "ads", env: "prod" } };
    const first = guard.reserve(subject, usd(6), NOV(2));
    expect(first).toEqual({ ok: true, reservation: { scopes: ["key:k1", "tag:team=ads"], picos: usd(6), monthStart: Date.UTC(2026, 10, 1) } });
    // 6 of 10 held: still headroom, so the next is admitted (the overshoot is at most one worst case).
    const second = guard.reserve(subject, usd(6), NOV(2));
    expect(second.ok).toBe(true);
    expect(guard.reserve(subject, usd(1), NOV(2))).toMatchObject({ ok: false, scope: "key:k1", spentPicos: usd(12), budgetPicos: usd(10) });
    // A refusal reserves nothing: the tag still holds only the two reservations.
    expect(guard.reserved(tagBudget("team", "ads"), NOV(2))).toBe(usd(12));
    if (first.ok && first.reservation) guard.release(first.reservation);
    guard.add([spend("x", NOV(2), "k1", { team: "ads" }, 4)]);
    expect(guard.reserved(clientKeyBudget("k1"), NOV(2))).toBe(usd(6));
    expect(guard.reserve(subject, usd(1), NOV(2))).toMatchObject({ ok: false, spentPicos: usd(10) });
    if (second.ok && second.reservation) guard.release(second.reservation);
    expect(guard.reserve(subject, usd(1), NOV(2)).ok).toBe(true);
    expect(guard.reserve({ clientKey: "free", tags: {} }, usd(1), NOV(2))).toEqual({ ok: true, reservation: undefined });
  });

  it("drops reservations with the month, and ignores a release from a past month", () => {
    const guard = new BudgetGuard(new Map([[clientKeyBudget("k1"), usd(10)]]), NOV(30));
    const nov = guard.reserve({ clientKey: "k1", tags: {} }, usd(9), NOV(30));
    expect(guard.reserved(clientKeyBudget("k1"), DEC1)).toBe(0n);
    const dec = guard.reserve({ clientKey: "k1", tags: {} }, usd(9), DEC1);
    if (nov.ok && nov.reservation) guard.release(nov.reservation);
    expect(guard.reserved(clientKeyBudget("k1"), DEC1)).toBe(usd(9));
    expect(dec.ok).toBe(true);
  });
});

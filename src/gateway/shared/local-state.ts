/**
 * Shared state kept in this process: the default. With `share` > 1 (serve --workers N without Redis) each limit and
 * budget is this process's share of the configured one, so that N processes together never exceed it.
 */
import { BudgetGuard, monthSpend } from "../../accounting/budget/budget-guard.js";
import type { AggregateSource } from "../../accounting/report/report.js";
import { LocalKeyState } from "../admission/key-state.js";
import type { SharedBudgets, SharedState } from "./shared-state.js";

/** Key limits and budgets in this process; deployments keep their own limits in the balancer. */
export class LocalSharedState implements SharedState {
  readonly keys: LocalKeyState;
  readonly deployments = undefined;
  readonly health = undefined;
  readonly #spend: AggregateSource;
  readonly #now: () => number;
  readonly #share: number;

  /** `spend` is the ledger (this month's spend is read from it); `share` the number of processes enforcing the limits. */
  constructor(spend: AggregateSource, now: () => number, share = 1) {
    this.#spend = spend;
    this.#now = now;
    this.#share = Math.max(1, share);
    this.keys = new LocalKeyState(this.#share);
  }

  /** A budget guard with this month's spend read from the ledger; with a share, each scope gets its part of what is left. */
  async budgets(limits: ReadonlyMap<string, bigint>): Promise<SharedBudgets> {
    const now = this.#now();
    const spent = await monthSpend(this.#spend, limits, now);
    return new BudgetGuard(this.#share === 1 ? limits : budgetShares(limits, spent, this.#share), now, spent);
  }

  /** Nothing to stop. */
  async close(): Promise<void> {}
}

/**
 * Each process's budget when `share` processes enforce `limits` apart: the month's spend so far plus its part of what
 * is left. Every process counts only its own spend from then on, so together they stay within the budget.
 */
export function budgetShares(limits: ReadonlyMap<string, bigint>, spent: ReadonlyMap<string, bigint>, share: number): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const [scope, budget] of limits) {
    const used = spent.get(scope) ?? 0n;
    const left = budget > used ? budget - used : 0n;
    out.set(scope, used + left / BigInt(share));
  }
  return out;
}

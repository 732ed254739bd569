/**
 * Monthly budgets on the hot path. Scopes are strings: "global", "key:<client key id>" and
 * "tag:<key>=<value>". The spend of the current UTC month is loaded from the ledger once, then
 * kept up to date from committed rows, so check() is a map lookup. A request reserves its worst-case
 * cost on every budgeted scope it is charged to while each has headroom (spent plus reserved under the
 * budget), and releases it once its real cost is committed: concurrent requests cannot overshoot a
 * budget by more than the worst case of the last one admitted.
 */
import type { LedgerRecord } from "../ledger/ledger-record.js";
import type { AggregateSource } from "../report/report.js";
import { monthStartUtc, nextMonthStartUtc } from "../ledger/utc.js";

/** The scope of the whole gateway. */
export const GLOBAL_BUDGET = "global";

/** The budget scope of a client key id. */
export function clientKeyBudget(clientKey: string): string {
  return `key:${clientKey}`;
}

/** The budget scope of requests carrying tag `key` with value `value`. */
export function tagBudget(key: string, value: string): string {
  return `tag:${key}=${value}`;
}

/** The answer of a budget check. */
export type BudgetCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly scope: string; readonly spentPicos: bigint; readonly budgetPicos: bigint; readonly resetsAt: number };

/** What a request holds of its scopes' budgets until its real cost is committed. */
export interface BudgetReservation {
  readonly scopes: readonly string[];
  readonly picos: bigint;
  /** The month it was taken in (a reservation of a past month is gone with that month). */
  readonly monthStart: number;
}

/** The answer of a reservation: the reservation, or the first scope without headroom. */
export type BudgetReserve = { readonly ok: true; readonly reservation: BudgetReservation | undefined } | Extract<BudgetCheck, { ok: false }>;

/** Who a request is charged to. */
export interface BudgetSubject {
  readonly clientKey: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
}

/** Tracks spend against monthly budgets (pico-dollars per scope). */
export class BudgetGuard {
  readonly #budgets: ReadonlyMap<string, bigint>;
  readonly #spend = new Map<string, bigint>();
  readonly #reserved = new Map<string, bigint>();
  #monthStart: number;
  #resetsAt: number;

  /** `spent` is this month's spend per scope so far (see load()); `nowMs` fixes the current month. */
  constructor(budgets: ReadonlyMap<string, bigint>, nowMs: number, spent: ReadonlyMap<string, bigint> = new Map()) {
    this.#budgets = budgets;
    this.#monthStart = monthStartUtc(nowMs);
    this.#resetsAt = nextMonthStartUtc(nowMs);
    for (const [scope, picos] of spent) if (budgets.has(scope)) this.#spend.set(scope, picos);
  }

  /** Builds a guard with this month's spend of every budgeted scope read from the ledger. */
  static async load(source: AggregateSource, budgets: ReadonlyMap<string, bigint>, nowMs: number): Promise<BudgetGuard> {
    return new BudgetGuard(budgets, nowMs, await monthSpend(source, budgets, nowMs));
  }

  /** Whether `scope` may spend more now; O(1). Scopes without a budget are always ok. */
  check(scope: string, nowMs: number): BudgetCheck {
    const budget = this.#budgets.get(scope);
    if (budget === undefined) return OK;
    this.#roll(nowMs);
    const spent = this.#spend.get(scope) ?? 0n;
    return spent < budget ? OK : { ok: false, scope, spentPicos: spent, budgetPicos: budget, resetsAt: this.#resetsAt };
  }

  /** Checks the global budget, the client key's, then each tag's: the first exhausted one wins. */
  checkRequest(subject: BudgetSubject, nowMs: number): BudgetCheck {
    for (const scope of scopesOf(subject)) {
      const result = this.check(scope, nowMs);
      if (!result.ok) return result;
    }
    return OK;
  }

  /**
   * Reserves `picos` (the request's worst case) on every budgeted scope of the subject, when each has headroom:
   * its spend plus what requests in flight reserved is under its budget. Else returns the first without headroom
   * (its `spentPicos` counts the reservations), reserving nothing.
   */
  reserve(subject: BudgetSubject, picos: bigint, nowMs: number): BudgetReserve {
    this.#roll(nowMs);
    const scopes: string[] = [];
    for (const scope of scopesOf(subject)) {
      const budget = this.#budgets.get(scope);
      if (budget === undefined) continue;
      const held = (this.#spend.get(scope) ?? 0n) + (this.#reserved.get(scope) ?? 0n);
      if (held >= budget) return { ok: false, scope, spentPicos: held, budgetPicos: budget, resetsAt: this.#resetsAt };
      scopes.push(scope);
    }
    if (scopes.length === 0) return { ok: true, reservation: undefined };
    for (const scope of scopes) this.#reserved.set(scope, (this.#reserved.get(scope) ?? 0n) + picos);
    return { ok: true, reservation: { scopes, picos, monthStart: this.#monthStart } };
  }

  /** Gives a reservation back (call once the request's rows are committed, so that its cost is counted instead). */
  release(reservation: BudgetReservation): void {
    if (reservation.monthStart !== this.#monthStart) return;
    for (const scope of reservation.scopes) {
      const left = (this.#reserved.get(scope) ?? 0n) - reservation.picos;
      if (left > 0n) this.#reserved.set(scope, left);
      else this.#reserved.delete(scope);
    }
  }

  /** What requests in flight have reserved of a scope, pico-dollars. */
  reserved(scope: string, nowMs: number): bigint {
    this.#roll(nowMs);
    return this.#reserved.get(scope) ?? 0n;
  }

  /** This month's spend of a scope, pico-dollars. */
  spent(scope: string, nowMs: number): bigint {
    this.#roll(nowMs);
    return this.#spend.get(scope) ?? 0n;
  }

  /** Adds committed rows (a Ledger commit listener). Rows of an earlier month are ignored. */
  add(rows: readonly LedgerRecord[]): void {
    for (const r of rows) {
      if (r.costPicos === 0n) continue;
      this.#roll(r.timeMs);
      if (r.timeMs < this.#monthStart) continue;
      for (const scope of scopesOf(r)) {
        if (this.#budgets.has(scope)) this.#spend.set(scope, (this.#spend.get(scope) ?? 0n) + r.costPicos);
      }
    }
  }

  #roll(nowMs: number): void {
    if (nowMs < this.#resetsAt) return;
    this.#monthStart = monthStartUtc(nowMs);
    this.#resetsAt = nextMonthStartUtc(nowMs);
    this.#spend.clear();
    this.#reserved.clear();
  }
}

const OK: BudgetCheck = { ok: true };

function scopesOf(subject: BudgetSubject): string[] {
  const scopes = [GLOBAL_BUDGET];
  if (subject.clientKey !== undefined) scopes.push(clientKeyBudget(subject.clientKey));
  for (const [k, v] of Object.entries(subject.tags)) scopes.push(tagBudget(k, v));
  return scopes;
}

/** This UTC month's spend (up to `nowMs`) of every budgeted scope, read from the ledger. */
export async function monthSpend(source: AggregateSource, budgets: ReadonlyMap<string, bigint>, nowMs: number): Promise<Map<string, bigint>> {
  const base = { startMs: monthStartUtc(nowMs), endMs: Number.MAX_SAFE_INTEGER, models: [], providers: [], clientKeys: [], tags: {}, tagKey: undefined, latency: false };
  const spent = new Map<string, bigint>();
  const scopes = [...budgets.keys()];
  if (scopes.includes(GLOBAL_BUDGET)) {
    const [total] = await source.aggregate({ ...base, groupBy: [] });
    spent.set(GLOBAL_BUDGET, total?.costPicos ?? 0n);
  }
  if (scopes.some((s) => s.startsWith("key:"))) {
    for (const g of await source.aggregate({ ...base, groupBy: ["client_key"] })) {
      if (g.key[0]) spent.set(clientKeyBudget(g.key[0]), g.costPicos);
    }
  }
  const tagKeys = new Set(scopes.filter((s) => s.startsWith("tag:")).map((s) => s.slice(4, s.indexOf("=") < 0 ? undefined : s.indexOf("="))));
  for (const key of tagKeys) {
    for (const g of await source.aggregate({ ...base, groupBy: ["tag"], tagKey: key })) {
      if (g.key[0]) spent.set(tagBudget(key, g.key[0]), g.costPicos);
    }
  }
  return spent;
}

/**
 * Monthly budgets shared by every replica. Per scope and UTC month, Redis holds `spent` (pico-dollars, INCRBY:
 * 64-bit) and `held`, a hash of each replica's reservations; only replicas that still heartbeat count, so the
 * requests of a replica killed mid-flight stop holding budget once its heartbeat expires. `spent` is the ledger's
 * truth cached: a missing counter (first use, Redis restarted empty) is seeded from the ledger with SET NX, and after
 * an outage during which committed rows could not be counted, every counter is set again from the ledger.
 * Reservations Redis loses when it restarts empty are a bounded overshoot (the worst cases of the requests then in
 * flight); their late releases are recognised by the epoch key and ignored. Redis unreachable: reserve refuses.
 */
import type { BudgetReservation, BudgetReserve, BudgetSubject } from "../../../accounting/budget/budget-guard.js";
import { GLOBAL_BUDGET, clientKeyBudget, monthSpend, tagBudget } from "../../../accounting/budget/budget-guard.js";
import type { LedgerRecord } from "../../../accounting/ledger/ledger-record.js";
import { DAY_MS, monthStartUtc, nextMonthStartUtc } from "../../../accounting/ledger/utc.js";
import type { AggregateSource } from "../../../accounting/report/report.js";
import type { SharedBudgets } from "../shared-state.js";
import { StateUnavailableError } from "../shared-state.js";
import type { Link, Script } from "./link.js";
import { BUDGET_ADD, BUDGET_RELEASE, BUDGET_RESERVE } from "./lua.js";

/** How long a month's counters outlive the month, ms (late rows and releases still land). */
const KEEP_AFTER_MONTH_MS = 7 * DAY_MS;
/** Releases kept for a Redis that comes back (beyond: dropped and counted). */
const MAX_PENDING_RELEASES = 100_000;

/** A release Redis did not take yet. */
interface PendingRelease {
  readonly reservation: BudgetReservation;
  readonly epoch: string | undefined;
}

/** The shared budgets of one gateway: views per set of limits, seeding from the ledger, recovery after an outage. */
export class RedisBudgets {
  readonly #link: Link;
  readonly #source: AggregateSource;
  readonly #wall: () => number;
  readonly #seedTimeoutMs: number;
  readonly #reserve: Script;
  readonly #release: Script;
  readonly #add: Script;
  readonly #epochs = new WeakMap<BudgetReservation, string>();
  readonly #seeding = new Map<string, Promise<void>>();
  #pending: PendingRelease[] = [];
  #limits: ReadonlyMap<string, bigint> = new Map();
  #stale = false;
  #epochSeq = 0;

  /** Budgets over `link`; `source` is the ledger (the truth of spend), `wall` the epoch-ms clock. */
  constructor(link: Link, source: AggregateSource, wall: () => number, seedTimeoutMs: number) {
    this.#link = link;
    this.#source = source;
    this.#wall = wall;
    this.#seedTimeoutMs = seedTimeoutMs;
    this.#reserve = link.define("llmgwBudgetReserve", BUDGET_RESERVE);
    this.#release = link.define("llmgwBudgetRelease", BUDGET_RELEASE);
    this.#add = link.define("llmgwBudgetAdd", BUDGET_ADD);
    link.onChange((up) => {
      if (up) void this.#recover();
    });
  }

  /** A view over `limits` (scope -> pico-dollars); the latest limits are the ones re-seeded after an outage. */
  view(limits: ReadonlyMap<string, bigint>): SharedBudgets {
    this.#limits = limits;
    return {
      reserve: (subject, picos, nowMs) => this.#reserveOn(limits, subject, picos, nowMs),
      release: (reservation) => this.#releaseOf(reservation),
      add: (rows) => this.#addRows(limits, rows),
    };
  }

  async #reserveOn(limits: ReadonlyMap<string, bigint>, subject: BudgetSubject, picos: bigint, nowMs: number): Promise<BudgetReserve> {
    const scopes = scopesOf(subject).filter((s) => limits.has(s));
    if (scopes.length === 0) return { ok: true, reservation: undefined };
    try {
      if (this.#stale && this.#link.up) void this.#recover();
      return await this.#tryReserve(limits, scopes, picos, nowMs);
    } catch (err) {
      this.#link.counts.budgets++;
      throw err instanceof StateUnavailableError ? err : new StateUnavailableError("the shared budgets could not be read");
    }
  }

  async #tryReserve(limits: ReadonlyMap<string, bigint>, scopes: readonly string[], picos: bigint, nowMs: number): Promise<BudgetReserve> {
    const month = monthStartUtc(nowMs);
    const keys = [this.#link.key("replicas"), this.#link.key("epoch"), ...scopes.map((s) => this.#spentKey(month, s)), ...scopes.map((s) => this.#heldKey(month, s))];
    const fresh = `${this.#link.id}.${++this.#epochSeq}`;
    const args = [this.#link.id, picos.toString(), fresh, this.#link.heartbeatTtlMs, expiry(month), ...scopes.map((s) => (limits.get(s) ?? 0n).toString())];
    for (let attempt = 0; attempt < 3; attempt++) {
      const answer = await this.#link.run(() => this.#reserve(keys, args));
      if (!Array.isArray(answer)) break;
      if (answer[0] === "seed") {
        await this.#seed(limits, nowMs);
        continue;
      }
      if (answer[0] === "no") {
        const scope = scopes[Number(answer[1]) - 1] ?? GLOBAL_BUDGET;
        return { ok: false, scope, spentPicos: BigInt(String(answer[2])), budgetPicos: limits.get(scope) ?? 0n, resetsAt: nextMonthStartUtc(nowMs) };
      }
      const reservation: BudgetReservation = { scopes, picos, monthStart: month };
      this.#epochs.set(reservation, String(answer[1]));
      return { ok: true, reservation };
    }
    throw new StateUnavailableError("the shared budgets could not be seeded");
  }

  #releaseOf(reservation: BudgetReservation): void {
    if (reservation.scopes.length === 0) return;
    const pending = { reservation, epoch: this.#epochs.get(reservation) };
    if (!this.#link.up) return this.#hold(pending);
    this.#sendRelease(pending).catch(() => this.#hold(pending));
  }

  async #sendRelease(p: PendingRelease): Promise<void> {
    const keys = [this.#link.key("epoch"), ...p.reservation.scopes.map((s) => this.#heldKey(p.reservation.monthStart, s))];
    await this.#link.run(() => this.#release(keys, [this.#link.id, p.reservation.picos.toString(), p.epoch ?? ""]));
  }

  /** Keeps a release for when Redis is back (a reservation Redis still holds would else shrink the budget all month). */
  #hold(p: PendingRelease, again = false): void {
    if (!again) this.#link.counts.failedWrites++;
    if (this.#pending.length < MAX_PENDING_RELEASES) this.#pending.push(p);
  }

  #addRows(limits: ReadonlyMap<string, bigint>, rows: readonly LedgerRecord[]): void {
    const sums = new Map<string, bigint>();
    for (const row of rows) {
      if (row.costPicos <= 0n) continue;
      const month = monthStartUtc(row.timeMs);
      for (const scope of scopesOf(row)) {
        if (!limits.has(scope)) continue;
        const key = this.#spentKey(month, scope);
        sums.set(key, (sums.get(key) ?? 0n) + row.costPicos);
      }
    }
    if (sums.size === 0) return;
    const lost = (): void => {
      // Spend Redis did not count: set every counter again from the ledger once Redis is back.
      this.#link.counts.failedWrites++;
      this.#stale = true;
    };
    if (!this.#link.up) return lost();
    this.#link.run(() => this.#add([...sums.keys()], [...sums.values()].map(String))).catch(lost);
  }

  /** Seeds the month's missing spent counters from the ledger (SET NX), once at a time per month. */
  async #seed(limits: ReadonlyMap<string, bigint>, nowMs: number): Promise<void> {
    const month = monthStartUtc(nowMs);
    const flight = `${month}`;
    let seeding = this.#seeding.get(flight);
    if (!seeding) {
      seeding = this.#writeSpend(limits, nowMs, true).finally(() => this.#seeding.delete(flight));
      this.#seeding.set(flight, seeding);
    }
    await seeding;
  }

  /** Writes this month's spend of every budgeted scope as the ledger has it: only missing counters (`onlyMissing`) or all. */
  async #writeSpend(limits: ReadonlyMap<string, bigint>, nowMs: number, onlyMissing: boolean): Promise<void> {
    const month = monthStartUtc(nowMs);
    const spent = await withTimeout(monthSpend(this.#source, limits, nowMs), this.#seedTimeoutMs);
    const redis = this.#link.redis;
    const at = expiry(month);
    await this.#link.run(() =>
      Promise.all(
        [...limits.keys()].map((scope) => {
          const key = this.#spentKey(month, scope);
          const value = (spent.get(scope) ?? 0n).toString();
          return onlyMissing ? redis.set(key, value, "PXAT", at, "NX") : redis.set(key, value, "PXAT", at);
        }),
      ),
    );
  }

  /** Redis is back: releases kept meanwhile are sent, and spent counters are set from the ledger if rows were missed. */
  async #recover(): Promise<void> {
    if (!this.#link.up) return;
    const pending = this.#pending;
    this.#pending = [];
    await Promise.all(pending.map((p) => this.#sendRelease(p).catch(() => this.#hold(p, true))));
    if (!this.#stale || this.#limits.size === 0 || this.#seeding.has("recover")) return;
    const recovering = this.#writeSpend(this.#limits, this.#wall(), false).then(() => {
      this.#stale = false;
    });
    this.#seeding.set("recover", recovering);
    await recovering.catch(() => undefined).finally(() => this.#seeding.delete("recover"));
  }

  #spentKey(month: number, scope: string): string {
    return this.#link.key("budget", monthLabel(month), scope, "spent");
  }

  #heldKey(month: number, scope: string): string {
    return this.#link.key("budget", monthLabel(month), scope, "held");
  }
}

/** The scopes a subject is charged to: global, its client key, each tag (as BudgetGuard). */
function scopesOf(subject: BudgetSubject): string[] {
  const scopes = [GLOBAL_BUDGET];
  if (subject.clientKey !== undefined) scopes.push(clientKeyBudget(subject.clientKey));
  for (const [k, v] of Object.entries(subject.tags)) scopes.push(tagBudget(k, v));
  return scopes;
}

/** "2026-12" for a month's first millisecond. */
function monthLabel(month: number): string {
  return new Date(month).toISOString().slice(0, 7);
}

/** When a month's counters expire, epoch ms. */
function expiry(month: number): number {
  return nextMonthStartUtc(month) + KEEP_AFTER_MONTH_MS;
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StateUnavailableError("this month's spend could not be read from the ledger in time")), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}


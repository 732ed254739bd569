/**
 * The one seam for state that replicas share: a client key's limits and budget at admission, and a deployment's
 * limits and cooldowns at each attempt. In process (the default) every method answers at once; the Redis
 * implementation (./redis/) answers after a round trip, and falls back to a documented local behaviour when Redis
 * cannot be reached. Breakers and latency statistics are not here: they stay per process (see README).
 */
import type { BudgetReservation, BudgetReserve, BudgetSubject } from "../../accounting/budget/budget-guard.js";
import type { LedgerRecord } from "../../accounting/ledger/ledger-record.js";
import type { ClientKeyConfig } from "../../config/auth.js";
import type { ModelConfig } from "../../config/schema.js";
import type { RateLimitHint } from "../../providers/wire.js";

/** A value now (in process) or after a round trip (shared). */
export type Maybe<T> = T | Promise<T>;

/** Which of a key's limits refuses a request, and when it will have room. */
export interface KeyLimitRefusal {
  readonly limit: "requests" | "tokens";
  /** The limit per minute (the local share of it while the shared state is unreachable). */
  readonly capacity: number;
  /** Milliseconds until the limit has room for the request. */
  readonly retryInMs: number;
}

/** Per-key limit state: taken at admission, settled when the request ends. `now` is monotonic ms. */
export interface KeyState {
  /** Takes one request and `tokens` from the key's limits (both or neither), or says which refuses. */
  take(key: ClientKeyConfig, tokens: number, now: number): Maybe<KeyLimitRefusal | undefined>;
  /**
   * Settles the `reserved` tokens a finished request took at admission with the tokens it really `used`: what it
   * used beyond is taken, what it did not use is given back, unless `unknown` (a cut stream): then nothing is.
   */
  settle(key: ClientKeyConfig, reserved: number, used: number, unknown: boolean, now: number): void;
}

/** Monthly budgets as admission uses them (in process, or shared by replicas). */
export interface BudgetView {
  /**
   * Reserves a request's worst-case cost on its subject's budgets while each has headroom; else the first without.
   * Throws StateUnavailableError when the shared budgets cannot be read (the request is refused, never let overspend).
   */
  reserve(subject: BudgetSubject, picos: bigint, nowMs: number): Maybe<BudgetReserve>;
  /** Gives a reservation back once the request's real cost is committed. */
  release(reservation: BudgetReservation): void;
}

/** Budgets as the composition keeps them: what admission uses, and the spend of committed rows. */
export interface SharedBudgets extends BudgetView {
  /** Counts committed (or durably spilled) rows as spent (a ledger commit listener). */
  add(rows: readonly LedgerRecord[]): void;
}

/** Why a deployment's shared limits refuse a call now. */
export interface SharedLimitRefusal {
  readonly reason: "rpm" | "tpm" | "cooling_down";
  /** Milliseconds from now until there is headroom again. */
  readonly retryInMs: number;
}

/** What another replica learned about a deployment: the provider's rate-limit headers, or a 429 cooldown. */
export type DeploymentNews = { readonly kind: "hint"; readonly hint: RateLimitHint } | { readonly kind: "cooldown"; readonly ms: number };

/** A deployment's limits and cooldowns shared by every replica (absent in process: the balancer's own state is all). */
export interface DeploymentShare {
  /**
   * Takes one call and `tokens` from the shared limits of a deployment with configured rpm/tpm, honouring blocks
   * and cooldowns other replicas published; a refusal says which and for how long.
   */
  take(model: ModelConfig, tokens: number): Promise<SharedLimitRefusal | undefined>;
  /** Corrects the shared token bucket once the call's real usage is known (`used` undefined: keep the estimate). */
  settle(model: ModelConfig, estimated: number, used: number | undefined): void;
  /** Publishes the provider's rate-limit headers seen by this replica (clamps the shared buckets, blocks on zero). */
  hint(model: ModelConfig, hint: RateLimitHint): void;
  /** Publishes a 429 cooldown of `ms` this replica started. */
  cooldown(model: ModelConfig, ms: number): void;
  /** Hears what other replicas published; returns the removal of the listener. */
  subscribe(listener: (model: string, news: DeploymentNews) => void): () => void;
}

/** Whether a shared state answers now, for metrics and the health service. */
export interface SharedStateHealth {
  /** Up or down, the live replicas counted, and the answers given without it per concern. */
  status(): { readonly up: boolean; readonly replicas: number; readonly fallbacks: Readonly<Record<string, number>> };
  /** Hears every change of `up`; returns the removal of the listener. */
  onChange(listener: (up: boolean) => void): () => void;
}

/** The shared state of a running gateway. */
export interface SharedState {
  readonly keys: KeyState;
  /** Undefined in process (it always answers). */
  readonly health: SharedStateHealth | undefined;
  /** Undefined in process: the balancer's own limits and cooldowns are all. */
  readonly deployments: DeploymentShare | undefined;
  /** Budgets for a set of budget limits (scope -> pico-dollars); the in-process guard or the shared one. */
  budgets(limits: ReadonlyMap<string, bigint>): Promise<SharedBudgets>;
  /** Stops timers and connections. */
  close(): Promise<void>;
}

/** Thrown by shared state that cannot be reached when the documented choice is to refuse (budgets). */
export class StateUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StateUnavailableError";
  }
}

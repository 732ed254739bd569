/** The live state of every deployment, shared by all requests: admission, results, health, change signal. */
import type { GatewayConfig } from "../../config/schema.js";
import { sameDeployment, sameValue } from "../../config/diff.js";
import type { RateLimitHint } from "../../providers/wire.js";
import type { Clock } from "../clock.js";
import { Deployment } from "./deployment.js";
import type { CallResult, Skip, Ticket } from "./deployment.js";
import { usedTokens } from "./deployment.js";
import { panicChoice } from "./panic.js";
import type { ModelHealth } from "../types.js";
import type { DeploymentNews, DeploymentShare } from "../shared/shared-state.js";

/** What routing strategies may read about deployments. */
export interface DeploymentView {
  /** The deployment of a model (undefined for an unknown name). */
  deployment(model: string): Deployment | undefined;
  /** Monotonic now. */
  now(): number;
}

/** Who waits for a change of any deployment; shared by the balancers of successive config snapshots. */
interface Waiters {
  list: Array<() => void>;
}

/** Every deployment of a config; wakes waiting requests when any deployment's state changes. */
export class Balancer implements DeploymentView {
  readonly #clock: Clock;
  readonly #deployments = new Map<string, Deployment>();
  readonly #panicBelow: number;
  readonly #config: GatewayConfig;
  readonly #waiters: Waiters;
  readonly #share: DeploymentShare | undefined;

  /**
   * The deployments of `config`. With `previous` (the balancer of the snapshot before a reload), every deployment
   * that did not change (see sameDeployment; and the same breaker and retry-budget settings) keeps its state: the
   * breaker, cooldown, latency statistics, limit buckets and calls in flight are the same object's. `share` is the
   * deployment state replicas share; `localShare` > 1 makes each limit this process's share (workers without it).
   */
  constructor(config: GatewayConfig, clock: Clock, previous?: Balancer, share?: DeploymentShare, localShare = 1) {
    this.#clock = clock;
    this.#share = share;
    this.#config = config;
    this.#panicBelow = config.breaker.panicBelowErrorRate;
    this.#waiters = previous === undefined ? { list: [] } : previous.#waiters;
    const now = clock.monotonic();
    const carry = previous !== undefined && sameValue(previous.#config.breaker, config.breaker) && sameRetryBudget(previous.#config, config);
    for (const m of config.models.values()) {
      const old = carry ? previous.#deployments.get(m.name) : undefined;
      if (old && sameDeployment(old.model, m)) {
        old.rebind(m, config.failover);
        this.#deployments.set(m.name, old);
      } else this.#deployments.set(m.name, new Deployment(m, config.breaker, config.failover, now, localShare));
    }
  }

  /** The deployment of a model. */
  deployment(model: string): Deployment | undefined {
    return this.#deployments.get(model);
  }

  /** Monotonic now. */
  now(): number {
    return this.#clock.monotonic();
  }

  /** Admits a call to a model (a retry of it when `retry`) or says why it is skipped. */
  admit(model: string, tokens: number, retry = false): Ticket | Skip {
    const d = this.#deployments.get(model);
    if (!d) return { model, reason: "circuit_open", readyAt: undefined };
    return d.admit(tokens, this.now(), { retry, panic: false });
  }

  /**
   * The panic rule over the skips of a request with nothing else to call: a call past the breaker of the
   * least bad ejected candidate (see panicChoice), or undefined. `ask` gives a model's tokens and whether
   * the call would be a retry of it.
   */
  panic(skips: readonly Skip[], ask: (model: string) => { readonly tokens: number; readonly retry: boolean }): Ticket | undefined {
    const now = this.now();
    const model = panicChoice(skips, (m) => this.#deployments.get(m)?.breaker.recentErrorRate(now) ?? 1, this.#panicBelow);
    const d = model === undefined ? undefined : this.#deployments.get(model);
    if (!d) return undefined;
    const { tokens, retry } = ask(d.model.name);
    const admitted = d.admit(tokens, now, { retry, panic: true });
    return "permit" in admitted ? admitted : undefined;
  }

  /** When a 429 cooldown or an exhausted limit holds a model back now, until when (monotonic ms); else undefined. */
  limitedUntil(model: string, tokens: number): number | undefined {
    return this.#deployments.get(model)?.limitedUntil(tokens, this.now());
  }

  /**
   * Takes an admitted call from its deployment's limits shared by every replica (when it has rpm/tpm and the state is
   * shared): true when the call may go; else the ticket is handed back and the deployment held back here until the
   * shared limit has room, and the caller picks again. True at once in process.
   */
  confirm(ticket: Ticket): boolean | Promise<boolean> {
    const d = this.#deployments.get(ticket.model);
    const share = this.#share;
    if (!share || !d || !sharedLimits(d)) return true;
    return share.take(d.model, ticket.tokens).then((refusal) => {
      if (!refusal) return true;
      d.handBack(ticket, refusal.reason, refusal.retryInMs, this.now());
      this.#wake();
      return false;
    });
  }

  /** Takes a call that goes whatever the shared limits say (a hedge) from them, so that every replica counts it. */
  takeShared(ticket: Ticket): void {
    const d = this.#deployments.get(ticket.model);
    if (this.#share && d && sharedLimits(d)) void this.#share.take(d.model, ticket.tokens);
  }

  /** Records the end of an admitted call and wakes waiters; a cooldown it started, and its real tokens, are shared. */
  finish(ticket: Ticket, result: CallResult): void {
    const d = this.#deployments.get(ticket.model);
    if (!d) return this.#wake();
    const now = this.now();
    const cooledUntil = d.cooldownUntil;
    d.finish(ticket, result, now);
    const share = this.#share;
    if (share) {
      if (d.cooldownUntil > cooledUntil) share.cooldown(d.model, d.cooldownUntil - now);
      if (d.model.tpm !== undefined) share.settle(d.model, ticket.tokens, usedTokens(result.usage));
    }
    this.#wake();
  }

  /** Applies a provider's rate-limit headers to a model's limits, and tells the other replicas. */
  applyHint(model: string, hint: RateLimitHint): void {
    const d = this.#deployments.get(model);
    if (!d) return;
    const applied = d.applyHint(hint, this.now());
    this.#share?.hint(d.model, applied);
  }

  /** Applies what another replica published about a model (its provider's headers, a cooldown), without publishing it again. */
  receive(model: string, news: DeploymentNews): void {
    const d = this.#deployments.get(model);
    if (!d) return;
    if (news.kind === "hint") d.applyHint(news.hint, this.now());
    else d.coolFor(news.ms, this.now());
    this.#wake();
  }

  /** A model's health now ("healthy" for an unknown name). */
  health(model: string): ModelHealth {
    return this.#deployments.get(model)?.health(this.now()) ?? "healthy";
  }

  /** Resolves at the next finished call of any deployment (a probe's result, a freed slot). */
  changed(): { promise: Promise<void>; cancel: () => void } {
    let wake: () => void = () => undefined;
    const promise = new Promise<void>((resolve) => {
      wake = resolve;
    });
    const waiters = this.#waiters;
    waiters.list.push(wake);
    return {
      promise,
      cancel: () => {
        waiters.list = waiters.list.filter((w) => w !== wake);
      },
    };
  }

  #wake(): void {
    if (this.#waiters.list.length === 0) return;
    const waiters = this.#waiters.list;
    this.#waiters.list = [];
    for (const w of waiters) w();
  }
}

/** Whether a deployment has limits of its own that replicas share. */
function sharedLimits(d: Deployment): boolean {
  return d.model.rpm !== undefined || d.model.tpm !== undefined;
}

/** Whether two configs count retries alike (the retry budget of a carried deployment is built from these). */
function sameRetryBudget(a: GatewayConfig, b: GatewayConfig): boolean {
  return a.failover.retryBudgetRatio === b.failover.retryBudgetRatio && a.failover.retryBudgetMin === b.failover.retryBudgetMin && a.failover.retryBudgetWindowMs === b.failover.retryBudgetWindowMs;
}

/** The live state of one model deployment: breaker, 429 cooldown, RPM/TPM limits, retry budget, in-flight count, latency. */
import type { BreakerConfig, FailoverConfig, ModelConfig } from "../../config/schema.js";
import type { ErrorKind } from "../../providers/errors.js";
import type { Usage } from "../../providers/types.js";
import type { RateLimitHint } from "../../providers/wire.js";
import { Breaker } from "./breaker.js";
import type { BreakerPermit, BreakerVerdict } from "./breaker.js";
import { LatencyStats } from "./latency-stats.js";
import { DeploymentLimits } from "./limits.js";
import { RetryBudget } from "./retry-budget.js";
import { shareOf } from "../admission/key-state.js";
import { cappedRetryAfterMs, cooldownMs, isProviderFault } from "../attempts/policy.js";
import type { ModelHealth } from "../types.js";

/** Why a deployment was skipped (not called) for a request. */
export type SkipReason = "circuit_open" | "probe_in_flight" | "cooling_down" | "rpm" | "tpm" | "context_window" | "backoff" | "retry_budget";

/** How a call asks to be admitted. */
export interface AdmitMode {
  /** The deployment already failed within this request: the call spends its retry budget. */
  readonly retry: boolean;
  /** The panic rule lets the call past the breaker (never past a cooldown, a limit or the retry budget). */
  readonly panic: boolean;
}

/** A first call, through the breaker. */
export const FIRST_CALL: AdmitMode = { retry: false, panic: false };

/**
 * A deployment that was not called, why, and when it may be ready (monotonic ms; undefined when only a
 * probe's result can tell; Infinity when not within this request).
 */
export interface Skip {
  readonly model: string;
  readonly reason: SkipReason;
  readonly readyAt: number | undefined;
}

/** Permission for one call to a deployment; hand it back with `finish`. */
export interface Ticket {
  readonly model: string;
  readonly permit: BreakerPermit;
  /** Tokens taken from the TPM bucket. */
  readonly tokens: number;
}

/** How a call ended, as the deployment learns it. */
export interface CallResult {
  /** Undefined for a success. */
  readonly errorKind: ErrorKind | undefined;
  /** True when the end says nothing about the provider (client gone, hedge lost, request deadline). */
  readonly neutral: boolean;
  readonly retryAfterMs: number | undefined;
  readonly usage: Usage;
  /** True for a streamed call. */
  readonly stream: boolean;
  /**
   * Time to the first token (streams) or the answer (unary), ms: set on success, and on a lost
   * hedge race as a lower bound (else a provider that always loses would look fast forever).
   */
  readonly firstAnswerMs: number | undefined;
}

/** One deployment's state; time is passed in as monotonic ms. */
export class Deployment {
  #model: ModelConfig;
  readonly breaker: Breaker;
  readonly limits: DeploymentLimits;
  readonly stats = new LatencyStats();
  readonly budget: RetryBudget;
  #failover: FailoverConfig;
  #inflight = 0;
  #cooldownUntil = 0;

  /** `share` > 1: this process enforces its share of the model's rpm/tpm (serve --workers without shared state). */
  constructor(model: ModelConfig, breaker: BreakerConfig, failover: FailoverConfig, now: number, share = 1) {
    this.#model = model;
    this.breaker = new Breaker(breaker);
    this.limits = new DeploymentLimits(shareOf(model.rpm, share), shareOf(model.tpm, share), now);
    this.budget = new RetryBudget(failover.retryBudgetRatio, failover.retryBudgetMin, failover.retryBudgetWindowMs);
    this.#failover = failover;
  }

  /** The model this deployment serves (its latest config: price, weight, tier). */
  get model(): ModelConfig {
    return this.#model;
  }

  /**
   * Carries this state over to a reloaded config of the same deployment (same provider, upstream model and limits,
   * which the caller checks): the model's other fields and the failover settings (cooldowns) are taken from it.
   */
  rebind(model: ModelConfig, failover: FailoverConfig): void {
    this.#model = model;
    this.#failover = failover;
  }

  /** Calls in flight now. */
  get inflight(): number {
    return this.#inflight;
  }

  /** End of the current 429 cooldown (0 or past when none). */
  get cooldownUntil(): number {
    return this.#cooldownUntil;
  }

  /** Why a call of `tokens` would be skipped now, or undefined when it may go. Checks before taking anything. */
  check(tokens: number, now: number): Skip | undefined {
    const held = this.#held(tokens, now);
    if (held) return held;
    const refusal = this.breaker.check(now);
    return refusal && { model: this.model.name, reason: refusal.reason, readyAt: refusal.readyAt };
  }

  /** When a 429 cooldown or an exhausted limit holds the deployment back at `now`, until when; else undefined. */
  limitedUntil(tokens: number, now: number): number | undefined {
    return this.#held(tokens, now)?.readyAt;
  }

  /** Admits a call (taking limits, the retry budget and, when half-open, a probe), or says why not. */
  admit(tokens: number, now: number, mode: AdmitMode = FIRST_CALL): Ticket | Skip {
    const name = this.model.name;
    const held = this.#held(tokens, now);
    if (held) return held;
    if (mode.retry && !this.budget.allows(now)) return { model: name, reason: "retry_budget", readyAt: Infinity };
    const permit = mode.panic ? this.breaker.bypass(now) : this.breaker.acquire(now);
    if (!permit) {
      const refusal = this.breaker.check(now);
      return { model: name, reason: refusal?.reason ?? "probe_in_flight", readyAt: refusal?.readyAt };
    }
    this.budget.spend(now, mode.retry);
    this.limits.take(tokens, now);
    this.#inflight++;
    return { model: name, permit, tokens };
  }

  /** Learns from the end of an admitted call. */
  finish(ticket: Ticket, result: CallResult, now: number): void {
    this.#inflight = Math.max(0, this.#inflight - 1);
    this.breaker.record(ticket.permit, verdictOf(result), now);
    const used = usedTokens(result.usage);
    this.limits.settle(ticket.tokens, used, now);
    const cooldown = result.errorKind !== undefined ? cooldownMs(result.errorKind, result.retryAfterMs, this.#failover) : undefined;
    if (cooldown !== undefined) this.#cooldownUntil = Math.max(this.#cooldownUntil, now + cooldown);
    if (result.firstAnswerMs !== undefined) this.stats.record(result.stream, result.firstAnswerMs);
  }

  /**
   * Hands back a ticket the shared limits refused before the call was made: nothing is learned about the provider,
   * the tokens are given back, and the deployment is held back here for `ms` (a cooldown, or the exhausted limit).
   */
  handBack(ticket: Ticket, reason: "rpm" | "tpm" | "cooling_down", ms: number, now: number): void {
    this.#inflight = Math.max(0, this.#inflight - 1);
    this.breaker.record(ticket.permit, "neutral", now);
    this.limits.settle(ticket.tokens, 0, now);
    if (reason === "cooling_down") this.coolFor(ms, now);
    else this.limits.block(reason, now + Math.max(1, ms));
  }

  /** Starts (or extends) a 429 cooldown of `ms` from `now`. */
  coolFor(ms: number, now: number): void {
    this.#cooldownUntil = Math.max(this.#cooldownUntil, now + ms);
  }

  /** Applies the provider's rate-limit headers; returns them as applied (the reset capped by maxRetryAfterMs). */
  applyHint(hint: RateLimitHint, now: number): RateLimitHint {
    // A reset time is a Retry-After in other words: capped the same way.
    const resetMs = cappedRetryAfterMs(hint.resetMs, this.#failover);
    const capped = resetMs === hint.resetMs ? hint : { ...hint, resetMs };
    this.limits.applyHint(capped, now);
    return capped;
  }

  /** A 429 cooldown or an exhausted RPM/TPM limit, as a skip. */
  #held(tokens: number, now: number): Skip | undefined {
    const name = this.model.name;
    if (now < this.#cooldownUntil) return { model: name, reason: "cooling_down", readyAt: this.#cooldownUntil };
    const limit = this.limits.check(tokens, now);
    return limit && { model: name, reason: limit.reason, readyAt: limit.readyAt };
  }

  /** Health as reported to clients: breaker first, then cooldowns and exhausted limits. */
  health(now: number): ModelHealth {
    const state = this.breaker.state(now);
    if (state === "open") return "unhealthy";
    if (state === "half_open") return "probing";
    if (now < this.#cooldownUntil || this.limits.check(1, now)) return "cooling_down";
    return "healthy";
  }

  /**
   * Relative weight for the weighted strategy: 0 while open or cooling down; the full weight while
   * half-open (so the probe comes at its normal turn); else scaled by the recent success rate.
   */
  effectiveWeight(now: number): number {
    const state = this.breaker.state(now);
    if (state === "open" || now < this.#cooldownUntil) return 0;
    if (state === "half_open") return this.model.weight;
    const rate = this.breaker.failureRate(now) ?? 0;
    return this.model.weight * Math.max(0.05, 1 - rate);
  }
}

/** The breaker's view of a call result: only provider-side kinds count against health. */
export function verdictOf(result: CallResult): BreakerVerdict {
  if (result.errorKind === undefined) return "success";
  if (result.neutral) return "neutral";
  return isProviderFault(result.errorKind) ? "failure" : "neutral";
}

/** The tokens a call used, or undefined when the provider reported neither count. */
export function usedTokens(usage: Usage): number | undefined {
  if (usage.inputTokens === undefined && usage.outputTokens === undefined) return undefined;
  return (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0);
}

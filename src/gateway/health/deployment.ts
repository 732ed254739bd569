/** The live state of one model deployment: breaker, 429 cooldown, RPM/TPM limits, in-flight count, latency. */
import type { BreakerConfig, FailoverConfig, ModelConfig } from "../../config/schema.js";
import type { ErrorKind } from "../../providers/errors.js";
import type { Usage } from "../../providers/types.js";
import type { RateLimitHint } from "../../providers/wire.js";
import { Breaker } from "./breaker.js";
import type { BreakerPermit, BreakerVerdict } from "./breaker.js";
import { LatencyStats } from "./latency-stats.js";
import { DeploymentLimits } from "./limits.js";
import { cappedRetryAfterMs, cooldownMs, isProviderFault } from "../attempts/policy.js";
import type { ModelHealth } from "../types.js";

/** Why a deployment was skipped (not called) for a request. */
export type SkipReason = "circuit_open" | "probe_in_flight" | "cooling_down" | "rpm" | "tpm" | "context_window" | "backoff";

/** A deployment that was not called, why, and when it may be ready (monotonic ms; undefined when unknown). */
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
  readonly model: ModelConfig;
  readonly breaker: Breaker;
  readonly limits: DeploymentLimits;
  readonly stats = new LatencyStats();
  readonly #failover: FailoverConfig;
  #inflight = 0;
  #cooldownUntil = 0;

  constructor(model: ModelConfig, breaker: BreakerConfig, failover: FailoverConfig, now: number) {
    this.model = model;
    this.breaker = new Breaker(breaker);
    this.limits = new DeploymentLimits(model.rpm, model.tpm, now);
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
    const name = this.model.name;
    if (now < this.#cooldownUntil) return { model: name, reason: "cooling_down", readyAt: this.#cooldownUntil };
    const limit = this.limits.check(tokens, now);
    if (limit) return { model: name, reason: limit.reason, readyAt: limit.readyAt };
    const refusal = this.breaker.check(now);
    if (refusal) return { model: name, reason: refusal.reason, readyAt: refusal.readyAt };
    return undefined;
  }

  /** Admits a call (taking limits and, when half-open, the probe), or says why not. */
  admit(tokens: number, now: number): Ticket | Skip {
    const skip = this.check(tokens, now);
    if (skip) return skip;
    const permit = this.breaker.acquire(now);
    if (!permit) return { model: this.model.name, reason: "probe_in_flight", readyAt: undefined };
    this.limits.take(tokens, now);
    this.#inflight++;
    return { model: this.model.name, permit, tokens };
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

  /** Applies the provider's rate-limit headers. */
  applyHint(hint: RateLimitHint, now: number): void {
    // A reset time is a Retry-After in other words: capped the same way.
    const resetMs = cappedRetryAfterMs(hint.resetMs, this.#failover);
    this.limits.applyHint(resetMs === hint.resetMs ? hint : { ...hint, resetMs }, now);
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

function usedTokens(usage: Usage): number | undefined {
  if (usage.inputTokens === undefined && usage.outputTokens === undefined) return undefined;
  return (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0);
}

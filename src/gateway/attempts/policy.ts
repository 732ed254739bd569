/**
 * The one retry and fault policy of the core: per error kind, whether another attempt may succeed,
 * whether it counts against the deployment's health, whether the same deployment may be tried again
 * within the request, and which cooldown it starts. Providers only classify; this table decides. Pure.
 */
import type { FailoverConfig } from "../../config/schema.js";
import type { ErrorKind, ProviderError } from "../../providers/errors.js";
import type { Random } from "../clock.js";

/** The cooldown a failure starts on its deployment. */
export type Cooldown = "none" | "rate_limit" | "quota";

/** What the core does after one kind of failure. */
export interface KindPolicy {
  /** Another attempt (same or other deployment) may succeed where this one failed. */
  readonly retryable: boolean;
  /** The failure says something about the provider's health (it feeds the circuit breaker). */
  readonly providerFault: boolean;
  /** The same deployment would only repeat it (or asked for less load) within one request: it is never tried there again. */
  readonly neverAgain: boolean;
  /** The cooldown it starts on the deployment. */
  readonly cooldown: Cooldown;
}

/** The policy table, one row per kind. */
const POLICY: Readonly<Record<ErrorKind, KindPolicy>> = {
  // A 429 asks for less load: never retried on the same deployment within the request (its cooldown keeps
  // other requests away too); the request moves on, or ends with RESOURCE_EXHAUSTED and the retry delay.
  rate_limited: { retryable: true, providerFault: false, neverAgain: true, cooldown: "rate_limit" },
  quota_exhausted: { retryable: true, providerFault: false, neverAgain: true, cooldown: "quota" },
  overloaded: { retryable: true, providerFault: true, neverAgain: false, cooldown: "none" },
  server_error: { retryable: true, providerFault: true, neverAgain: false, cooldown: "none" },
  timeout: { retryable: true, providerFault: true, neverAgain: false, cooldown: "none" },
  network: { retryable: true, providerFault: true, neverAgain: false, cooldown: "none" },
  auth: { retryable: true, providerFault: true, neverAgain: true, cooldown: "none" },
  invalid_request: { retryable: false, providerFault: false, neverAgain: false, cooldown: "none" },
  context_too_long: { retryable: true, providerFault: false, neverAgain: true, cooldown: "none" },
  content_filtered: { retryable: false, providerFault: false, neverAgain: false, cooldown: "none" },
  invalid_response: { retryable: true, providerFault: true, neverAgain: false, cooldown: "none" },
  cancelled: { retryable: false, providerFault: false, neverAgain: false, cooldown: "none" },
  model_unavailable: { retryable: true, providerFault: true, neverAgain: true, cooldown: "none" },
  // Refused locally before a byte was sent: the gateway's own queue, not the provider; the request moves on at
  // once (retrying the same full pool within the request would only queue by another name).
  queue_full: { retryable: true, providerFault: false, neverAgain: true, cooldown: "none" },
};

/** The policy row of a kind. */
export function policyOf(kind: ErrorKind): KindPolicy {
  return POLICY[kind];
}

/** True when trying elsewhere may succeed where this attempt failed. */
export function isRetryable(kind: ErrorKind): boolean {
  return POLICY[kind].retryable;
}

/** True when the failure counts against the deployment's health. */
export function isProviderFault(kind: ErrorKind): boolean {
  return POLICY[kind].providerFault;
}

/** A provider's Retry-After capped by `failover.maxRetryAfterMs`; undefined when none was sent. */
export function cappedRetryAfterMs(retryAfterMs: number | undefined, config: FailoverConfig): number | undefined {
  return retryAfterMs === undefined ? undefined : Math.min(retryAfterMs, config.maxRetryAfterMs);
}

/**
 * How long a failure of `kind` cools its deployment down, ms, or undefined for none: a 429 for its
 * (capped) Retry-After, else the configured rate-limit cooldown; an exhausted quota for the longer of
 * its (capped) Retry-After and the configured quota cooldown.
 */
export function cooldownMs(kind: ErrorKind, retryAfterMs: number | undefined, config: FailoverConfig): number | undefined {
  const wait = cappedRetryAfterMs(retryAfterMs, config);
  switch (POLICY[kind].cooldown) {
    case "rate_limit":
      return wait ?? config.rateLimitCooldownMs;
    case "quota":
      return Math.max(wait ?? 0, config.quotaCooldownMs);
    case "none":
      return undefined;
  }
}

/** Full-jitter exponential backoff for the n-th retry (n >= 1): uniform in [0, min(max, base * 2^(n-1))). */
export function fullJitterMs(retry: number, baseMs: number, maxMs: number, random: Random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry - 1));
  return random() * cap;
}

/**
 * The jitter added to a request's wake-up at the end of a shared cooldown `waitMs` away, ms: uniform in
 * [0, spread) with spread half the wait, at least backoffBaseMs and at most backoffMaxMs, so that the
 * requests waiting for one deployment's cooldown do not all call it at the same moment.
 */
export function wakeJitterMs(waitMs: number, config: FailoverConfig, random: Random): number {
  const spread = Math.min(config.backoffMaxMs, Math.max(config.backoffBaseMs, waitMs / 2));
  return random() * spread;
}

/**
 * When the same deployment may be retried after its `failures`-th failure in this request, monotonic
 * ms. A Retry-After from the provider (capped by `failover.maxRetryAfterMs`) replaces the jittered
 * delay; a failure that the same deployment would only repeat (context too long, rejected
 * credentials, exhausted quota, unavailable model) or that asked for less load (429) never retries it
 * (Infinity).
 */
export function retryAt(now: number, failures: number, error: ProviderError, config: FailoverConfig, random: Random): number {
  if (POLICY[error.kind].neverAgain) return Infinity;
  const wait = cappedRetryAfterMs(error.retryAfterMs, config);
  if (wait !== undefined) return now + wait;
  return now + fullJitterMs(failures, config.backoffBaseMs, config.backoffMaxMs, random);
}

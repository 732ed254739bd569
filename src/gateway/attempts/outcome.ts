/** Turns a failed request's attempts into one GatewayError: the only place this decision is made. */
import type { Skip, SkipReason } from "../health/deployment.js";
import type { AttemptRecord } from "../types.js";
import { GatewayError } from "../types.js";

/** Why the attempt loop stopped without an answer. */
export type StopReason =
  | "exhausted"
  | "not_retryable"
  | "deadline"
  | "cancelled"
  | "no_candidate"
  /** Every model with a large enough window answered context-too-long. */
  | "too_long"
  /** A stream failed or stalled after its first token was sent. */
  | "interrupted";

/** Skip reasons that mean "no headroom right now" rather than "broken". */
const LIMIT_SKIPS: ReadonlySet<SkipReason> = new Set<SkipReason>(["cooling_down", "rpm", "tpm", "backoff"]);

/** One line per attempt: "#2 claude-sonnet-4.5@anthropic overloaded: 529 overloaded_error (31 ms)". */
export function describeAttempts(attempts: readonly AttemptRecord[]): string {
  return attempts
    .map((a) => `#${a.number} ${a.model}@${a.provider}${a.hedge ? " (hedge)" : ""} ${a.errorKind ?? a.outcome}: ${a.reason} (${Math.round(a.latencyMs)} ms)`)
    .join("; ");
}

/** "m1 circuit_open (ready in 2.5 s), m2 rpm" for skipped deployments. */
export function describeSkips(skips: readonly Skip[], now: number): string {
  return skips
    .map((s) => {
      const wait = s.readyAt === undefined || s.readyAt === Infinity ? "" : ` (ready in ${(Math.max(0, s.readyAt - now) / 1000).toFixed(1)} s)`;
      return `${s.model} ${s.reason}${wait}`;
    })
    .join(", ");
}

/** Attempt kinds that mean "no headroom right now": a provider's 429 or quota, or the gateway's full pool for it. */
const LIMIT_KINDS: ReadonlySet<string> = new Set(["rate_limited", "quota_exhausted", "queue_full"]);

/** True when every attempt was rate limited (or refused by a full pool) and every skip was for lack of headroom (and there was at least one). */
export function allRateLimited(attempts: readonly AttemptRecord[], skips: readonly Skip[]): boolean {
  if (attempts.length === 0 && skips.length === 0) return false;
  return attempts.every((a) => a.errorKind !== undefined && LIMIT_KINDS.has(a.errorKind)) && skips.every((s) => LIMIT_SKIPS.has(s.reason));
}

/** What a request that found no headroom says: the pools were full, or the candidates rate limited. */
function noHeadroom(attempts: readonly AttemptRecord[], rateLimited: string): string {
  return attempts.some((a) => a.errorKind === "queue_full") ? "every candidate's provider pool is full (in flight and queued at its bound)" : rateLimited;
}

/** ", retry after 1.5 s" for a known delay, else nothing. */
export function describeRetryAfter(retryAfterMs: number | undefined): string {
  return retryAfterMs === undefined ? "" : `, retry after ${(retryAfterMs / 1000).toFixed(1)} s`;
}

/**
 * The error for a request that got no answer; `skips` are the deployments left uncalled at the end, and
 * `retryAfterMs` how long until a rate-limited candidate may be called again (told on RESOURCE_EXHAUSTED).
 */
export function failure(stop: StopReason, attempts: readonly AttemptRecord[], skips: readonly Skip[] = [], now = 0, retryAfterMs?: number): GatewayError {
  const list = attempts.length > 0 ? `: ${describeAttempts(attempts)}` : "";
  const skipped = skips.length > 0 ? ` (not called: ${describeSkips(skips, now)})` : "";
  const exhausted = (message: string): GatewayError =>
    new GatewayError("resource_exhausted", `${message}${describeRetryAfter(retryAfterMs)}${skipped}${list}`, attempts, undefined, retryAfterMs);
  const last = attempts[attempts.length - 1];
  switch (stop) {
    case "cancelled":
      return new GatewayError("cancelled", `request cancelled by the client${list}`, attempts);
    case "deadline":
      return new GatewayError("deadline_exceeded", `deadline exceeded after ${attempts.length} attempt(s)${list}`, attempts);
    case "not_retryable":
      if (last?.errorKind === "content_filtered") {
        return new GatewayError("invalid_argument", `the provider refused the content${list}`, attempts);
      }
      return new GatewayError("invalid_argument", `the provider rejected the request as invalid${list}`, attempts);
    case "too_long":
      return new GatewayError("invalid_argument", `the request is longer than the context window of every candidate${list}`, attempts);
    case "interrupted":
      return new GatewayError("unavailable", `the stream failed after it started; the partial answer is incomplete${list}`, attempts);
    case "no_candidate":
      if (allRateLimited(attempts, skips)) return exhausted(noHeadroom(attempts, "every candidate is at its rate limit"));
      return new GatewayError("unavailable", `no model can take the request now${skipped}${list}`, attempts);
    case "exhausted": {
      if (allRateLimited(attempts, skips)) return exhausted(noHeadroom(attempts, "every candidate is rate limited"));
      return new GatewayError("unavailable", `all ${attempts.length} attempt(s) failed${skipped}${list}`, attempts);
    }
  }
}

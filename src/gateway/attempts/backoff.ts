/** The retry rule: when a deployment that just failed may be called again within the same request. Pure. */
import type { FailoverConfig } from "../../config/schema.js";
import type { ErrorKind, ProviderError } from "../../providers/errors.js";
import type { Random } from "../clock.js";

/** Full-jitter exponential backoff for the n-th retry (n >= 1): uniform in [0, min(max, base * 2^(n-1))). */
export function fullJitterMs(retry: number, baseMs: number, maxMs: number, random: Random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry - 1));
  return random() * cap;
}

/** Kinds that the same deployment would only repeat within one request. */
const NEVER_AGAIN: ReadonlySet<ErrorKind> = new Set<ErrorKind>(["context_too_long", "auth", "quota_exhausted", "model_unavailable"]);

/**
 * When the same deployment may be retried after its `failures`-th failure in this request, monotonic
 * ms. A Retry-After from the provider replaces the jittered delay; a failure that the same deployment
 * would only repeat (context too long, rejected credentials, exhausted quota) never retries it (Infinity).
 */
export function retryAt(now: number, failures: number, error: ProviderError, config: FailoverConfig, random: Random): number {
  if (NEVER_AGAIN.has(error.kind)) return Infinity;
  if (error.retryAfterMs !== undefined) return now + error.retryAfterMs;
  return now + fullJitterMs(failures, config.backoffBaseMs, config.backoffMaxMs, random);
}

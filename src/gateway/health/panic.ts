/**
 * The panic rule (after Envoy's panic threshold): when every candidate a request could still call is
 * ejected by its breaker, the least bad of them serves anyway, provided its recent error rate is below
 * a bound; so a breaker never isolates the last deployment of a model into certain failure. Pure.
 */
import type { Skip, SkipReason } from "./deployment.js";

/** Skips that mean the breaker turned the deployment away. */
const EJECTED: ReadonlySet<SkipReason> = new Set<SkipReason>(["circuit_open", "probe_in_flight"]);

/** Skips that rule a candidate out for this request without making it worth waiting for. */
const OUT: ReadonlySet<SkipReason> = new Set<SkipReason>(["retry_budget"]);

/**
 * The model the panic rule lets serve past its breaker, or undefined: when some candidate is held back by
 * something else (a cooldown, a limit, a backoff: worth waiting for), when none is ejected, or when every
 * ejected one's error rate (`rateOf`) is at or above `bound`. Least bad: lowest error rate, then the
 * earliest end of its open period (a half-open one first), then plan order.
 */
export function panicChoice(skips: readonly Skip[], rateOf: (model: string) => number, bound: number): string | undefined {
  if (skips.some((s) => !EJECTED.has(s.reason) && !OUT.has(s.reason))) return undefined;
  let best: { model: string; rate: number; readyAt: number } | undefined;
  for (const s of skips) {
    if (!EJECTED.has(s.reason)) continue;
    const rate = rateOf(s.model);
    if (!(rate < bound)) continue;
    const readyAt = s.readyAt ?? -Infinity;
    if (!best || rate < best.rate || (rate === best.rate && readyAt < best.readyAt)) best = { model: s.model, rate, readyAt };
  }
  return best?.model;
}

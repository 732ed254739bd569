/** Latency: lowest recent latency first, with power-of-two-choices among close candidates. */
import type { ModelConfig } from "../../../config/schema.js";
import type { StrategyInput } from "./strategy.js";
import { sortBy } from "./strategy.js";

/** A candidate is "close" to the fastest when its score is within this factor of the best... */
export const CLOSE_RATIO = 1.5;
/** ...or within this many milliseconds of it. */
export const CLOSE_SLACK_MS = 5;

/**
 * Scores each model by its EWMA latency (first token for streams, total for unary; an unmeasured
 * model scores 0 so it gets measured). Among the models close to the best, two are drawn at random
 * and the one with fewer calls in flight (then the lower score) goes first; the rest follow by score.
 */
export function fastestFirst(input: StrategyInput): ModelConfig[] {
  const score = (m: ModelConfig): number => input.view.deployment(m.name)?.stats.score(input.stream) ?? 0;
  const inflight = (m: ModelConfig): number => input.view.deployment(m.name)?.inflight ?? 0;
  const byScore = sortBy(input.models, score);
  const best = byScore[0];
  if (!best) return [];
  const limit = Math.max(score(best) * CLOSE_RATIO, score(best) + CLOSE_SLACK_MS);
  const close = byScore.filter((m) => score(m) <= limit);
  if (close.length < 2) return byScore;
  const i = Math.floor(input.random() * close.length) % close.length;
  let j = Math.floor(input.random() * (close.length - 1)) % (close.length - 1);
  if (j >= i) j++;
  const a = close[i] as ModelConfig;
  const b = close[j] as ModelConfig;
  const aFirst = inflight(a) < inflight(b) || (inflight(a) === inflight(b) && (score(a) < score(b) || (score(a) === score(b) && i < j)));
  const first = aFirst ? a : b;
  return [first, ...byScore.filter((m) => m !== first)];
}

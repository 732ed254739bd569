/** Complexity: the cheapest model whose tier covers the request, stronger tiers as fallbacks. */
import type { ModelConfig } from "../../../config/schema.js";
import { estimateComplexity, tierCovers, tierRank } from "../complexity.js";
import { estimateCostPicos } from "../estimate.js";
import type { StrategyInput } from "./strategy.js";
import { sortBy } from "./strategy.js";

/**
 * The needed tier is the caller's hint, else an estimate from the prompt. First the cheapest model
 * whose tier covers it, then the other covering models by tier (weakest first) and cost; models of
 * weaker tiers come last, strongest first, as a last resort when nothing that covers it can answer.
 */
export function byComplexity(input: StrategyInput): ModelConfig[] {
  const needed = input.complexity ?? estimateComplexity(input.chat);
  const cost = (m: ModelConfig): bigint => estimateCostPicos(input.chat, m);
  const covering = input.models.filter((m) => tierCovers(m.tier, needed));
  const weaker = sortBy(
    sortBy(
      input.models.filter((m) => !tierCovers(m.tier, needed)),
      cost,
    ),
    (m) => -tierRank(m.tier),
  );
  const cheapest = sortBy(covering, cost)[0];
  if (!cheapest) return weaker;
  const rest = sortBy(
    sortBy(
      covering.filter((m) => m !== cheapest),
      cost,
    ),
    (m) => tierRank(m.tier),
  );
  return [cheapest, ...rest, ...weaker];
}

/** Cost: cheapest first, by the request's estimated input tokens and maximum output tokens at each model's prices. */
import type { ModelConfig } from "../../../config/schema.js";
import { estimateCostPicos } from "../estimate.js";
import type { StrategyInput } from "./strategy.js";
import { sortBy } from "./strategy.js";

/** Orders by estimated cost, ascending (ties keep config order). */
export function cheapestFirst(input: StrategyInput): ModelConfig[] {
  return sortBy(input.models, (m) => estimateCostPicos(input.chat, m));
}

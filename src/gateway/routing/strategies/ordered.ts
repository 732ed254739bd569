/** Ordered: the route's models as configured, an explicit fallback chain. */
import type { ModelConfig } from "../../../config/schema.js";
import type { StrategyInput } from "./strategy.js";

/** Keeps the configured order. */
export function ordered(input: StrategyInput): ModelConfig[] {
  return [...input.models];
}

/** Strategy by name. */
import type { Strategy } from "../../../config/schema.js";
import { byComplexity } from "./complexity.js";
import { cheapestFirst } from "./cost.js";
import { fastestFirst } from "./latency.js";
import { ordered } from "./ordered.js";
import type { StrategyFn } from "./strategy.js";
import { weighted } from "./weighted.js";

/** The ordering function of each strategy. */
export const STRATEGY_FNS: Readonly<Record<Strategy, StrategyFn>> = {
  ordered,
  weighted,
  cost: cheapestFirst,
  latency: fastestFirst,
  complexity: byComplexity,
};

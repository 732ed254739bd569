/** The contract of a routing strategy: order a route's eligible models for one request. */
import type { ModelConfig, Tier } from "../../../config/schema.js";
import type { ChatRequest } from "../../../providers/types.js";
import type { DeploymentView } from "../../health/balancer.js";
import type { Random } from "../../clock.js";
import type { SmoothWeightedRoundRobin } from "./weighted.js";

/** Everything a strategy may look at; strategies are pure apart from the round-robin state they are handed. */
export interface StrategyInput {
  /** Eligible models, in config order. */
  readonly models: readonly ModelConfig[];
  readonly chat: ChatRequest;
  readonly stream: boolean;
  /** The caller's complexity hint. */
  readonly complexity: Tier | undefined;
  readonly view: DeploymentView;
  readonly random: Random;
  /** The route's round-robin state (weighted strategy). */
  readonly rr: SmoothWeightedRoundRobin;
}

/** Orders models: the first is tried first, the rest are fallbacks in order. */
export type StrategyFn = (input: StrategyInput) => ModelConfig[];

/** A stable sort by a numeric or bigint key, ascending. */
export function sortBy<T>(items: readonly T[], key: (item: T) => number | bigint): T[] {
  return items
    .map((item, index) => ({ item, index, k: key(item) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.index - b.index))
    .map((e) => e.item);
}

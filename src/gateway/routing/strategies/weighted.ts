/** Smooth weighted round robin (as in nginx): a deterministic, evenly spread pick by weight. */
import type { ModelConfig } from "../../../config/schema.js";
import type { StrategyInput } from "./strategy.js";
import { sortBy } from "./strategy.js";

/** The per-route state of smooth weighted round robin. */
export class SmoothWeightedRoundRobin {
  readonly #current = new Map<string, number>();

  /**
   * Picks one name by weight: every name gains its weight, the largest current wins and loses the
   * total. Names with weight 0 are never picked; undefined when all weights are 0.
   */
  pick(weights: ReadonlyArray<readonly [string, number]>): string | undefined {
    let total = 0;
    let best: string | undefined;
    let bestValue = -Infinity;
    for (const [name, weight] of weights) {
      if (!(weight > 0)) continue;
      total += weight;
      const value = (this.#current.get(name) ?? 0) + weight;
      this.#current.set(name, value);
      if (value > bestValue) {
        bestValue = value;
        best = name;
      }
    }
    if (best !== undefined) this.#current.set(best, bestValue - total);
    return best;
  }
}

/** Weighted: the round-robin pick first (weights scaled by health), then the rest by effective weight. */
export function weighted(input: StrategyInput): ModelConfig[] {
  const now = input.view.now();
  const weights = input.models.map((m) => [m.name, input.view.deployment(m.name)?.effectiveWeight(now) ?? m.weight] as const);
  const picked = input.rr.pick(weights);
  const byWeight = new Map(weights);
  const rest = sortBy(
    input.models.filter((m) => m.name !== picked),
    (m) => -(byWeight.get(m.name) ?? 0),
  );
  const first = input.models.find((m) => m.name === picked);
  return first ? [first, ...rest] : rest;
}

/** What the same token usage would have cost on a baseline model, exactly. */
import type { PricingConfig } from "../../config/schema.js";

/** A model that can serve as the baseline: its name and prices. */
export interface PricedModel {
  readonly name: string;
  readonly pricing: PricingConfig;
}

/** The token sums a baseline is priced on (known counts only, as the actual cost was). */
export interface TokenSums {
  /** Input tokens neither read from nor written to a cache. */
  readonly uncachedInputTokens: bigint;
  readonly cachedInputTokens: bigint;
  readonly cacheWriteTokens: bigint;
  readonly outputTokens: bigint;
}

/** The comparison with the baseline. */
export interface SavingsResult {
  readonly baselinePicos: bigint;
  /** baseline minus actual; negative when the baseline is cheaper. */
  readonly savedPicos: bigint;
  /** saved / baseline * 100 (to 1e-4 %); 0 when the baseline cost is 0. */
  readonly savedPercent: number;
}

/** The most expensive model: highest output price, then highest input price, then first by name. */
export function mostExpensiveModel(models: Iterable<PricedModel>): PricedModel | undefined {
  let best: PricedModel | undefined;
  for (const m of models) {
    if (!best) {
      best = m;
      continue;
    }
    const a = m.pricing;
    const b = best.pricing;
    const better =
      a.outputPerToken !== b.outputPerToken
        ? a.outputPerToken > b.outputPerToken
        : a.inputPerToken !== b.inputPerToken
          ? a.inputPerToken > b.inputPerToken
          : m.name < best.name;
    if (better) best = m;
  }
  return best;
}

/** The sums priced at `pricing`, in pico-dollars: the same formula as costOf, summed. */
export function baselineCost(sums: TokenSums, pricing: PricingConfig): bigint {
  return (
    sums.uncachedInputTokens * pricing.inputPerToken +
    sums.cachedInputTokens * pricing.cachedInputPerToken +
    sums.cacheWriteTokens * pricing.cacheWritePerToken +
    sums.outputTokens * pricing.outputPerToken
  );
}

/** Compares the actual cost with the baseline's for the same sums. */
export function savingsOf(actualPicos: bigint, sums: TokenSums, pricing: PricingConfig): SavingsResult {
  const baselinePicos = baselineCost(sums, pricing);
  const savedPicos = baselinePicos - actualPicos;
  const savedPercent = baselinePicos === 0n ? 0 : Number((savedPicos * 1_000_000n) / baselinePicos) / 10_000;
  return { baselinePicos, savedPicos, savedPercent };
}

/** The one function that turns provider-reported usage into exact cost. */
import type { PricingConfig } from "../../config/schema.js";
import type { UsageCounts } from "../ledger/ledger-rows.js";

/** Cost of an attempt in pico-dollars, and whether part of its usage was unknown. */
export interface AttemptCost {
  readonly picos: bigint;
  /** True when the provider did not report input or output tokens: the cost is a lower bound. */
  readonly usageUnknown: boolean;
}

/**
 * Prices a usage: cached input at the cached price, cache writes at the cache-write price, the
 * rest of the input at the input price, all output at the output price. Unknown counts add nothing
 * and are flagged.
 */
export function costOf(usage: UsageCounts, pricing: PricingConfig): AttemptCost {
  const cached = BigInt(usage.cachedInputTokens ?? 0);
  const writes = BigInt(usage.cacheWriteTokens ?? 0);
  const input = usage.inputTokens === undefined ? 0n : BigInt(usage.inputTokens);
  const uncached = input - cached - writes > 0n ? input - cached - writes : 0n;
  const output = usage.outputTokens === undefined ? 0n : BigInt(usage.outputTokens);
  const picos =
    uncached * pricing.inputPerToken +
    cached * pricing.cachedInputPerToken +
    writes * pricing.cacheWritePerToken +
    output * pricing.outputPerToken;
  return { picos, usageUnknown: usage.inputTokens === undefined || usage.outputTokens === undefined };
}

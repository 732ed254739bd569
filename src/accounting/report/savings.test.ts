import { describe, expect, it } from "vitest";
import type { PricingConfig } from "../../config/schema.js";
import { perMTokToPicoPerToken } from "../money/money.js";
import { baselineCost, mostExpensiveModel, savingsOf } from "./savings.js";

function price(input: string, cached: string, output: string, write = input): PricingConfig {
  const p = (v: string): bigint => perMTokToPicoPerToken(v) ?? -1n;
  return { inputPerToken: p(input), cachedInputPerToken: p(cached), outputPerToken: p(output), cacheWritePerToken: p(write), priceDate: undefined };
}

const CATALOGUE = [
  { name: "gpt-4.1", pricing: price("2.00", "0.50", "8.00") },
  { name: "claude-sonnet-4.5", pricing: price("3.00", "0.30", "15.00", "3.75") },
  { name: "gemini-2.5-flash", pricing: price("0.30", "0.075", "2.50") },
  { name: "deepseek-v3.2", pricing: price("0.28", "0.028", "0.42") },
];

describe("savings", () => {
  it("takes the highest output price, then input price, then the first name as the default baseline", () => {
    expect(mostExpensiveModel(CATALOGUE)?.name).toBe("claude-sonnet-4.5");
    const twins = [
      { name: "b", pricing: price("1.00", "0", "15.00") },
      { name: "c", pricing: price("3.00", "0", "15.00") },
      { name: "a", pricing: price("3.00", "0", "15.00") },
    ];
    expect(mostExpensiveModel(twins)?.name).toBe("a");
    expect(mostExpensiveModel([])).toBeUndefined();
  });

  it("prices uncached input, cache reads, cache writes and output at the baseline's prices", () => {
    const sums = { uncachedInputTokens: 1_000_000n, cachedInputTokens: 2_000_000n, cacheWriteTokens: 100_000n, outputTokens: 500_000n };
    // $3.00 + 2 x $0.30 + 0.1 x $3.75 + 0.5 x $15.00
    expect(baselineCost(sums, price("3.00", "0.30", "15.00", "3.75"))).toBe(11_475_000_000_000n);
  });

  it("computes the product page's $12,000 -> $3,960 as 67% saved, exactly", () => {
    const sums = { uncachedInputTokens: 0n, cachedInputTokens: 0n, cacheWriteTokens: 0n, outputTokens: 800_000_000n };
    const s = savingsOf(3_960_000_000_000_000n, sums, price("3.00", "0.30", "15.00"));
    expect(s).toEqual({ baselinePicos: 12_000_000_000_000_000n, savedPicos: 8_040_000_000_000_000n, savedPercent: 67 });
  });

  it("reports a negative saving when the baseline is cheaper, and 0% against a free baseline", () => {
    const sums = { uncachedInputTokens: 1_000_000n, cachedInputTokens: 0n, cacheWriteTokens: 0n, outputTokens: 0n };
    expect(savingsOf(4_000_000_000_000n, sums, price("2.00", "0", "0"))).toEqual({ baselinePicos: 2_000_000_000_000n, savedPicos: -2_000_000_000_000n, savedPercent: -100 });
    expect(savingsOf(5n, sums, price("0", "0", "0")).savedPercent).toBe(0);
  });
});

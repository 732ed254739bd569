import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../providers/types.js";
import { complexitySignals, estimateComplexity, tierCovers } from "./complexity.js";
import { budgetTokens, contextTokens, estimateCostPicos, estimateInputTokens, fitsWindow } from "./estimate.js";
import { configFor } from "../../../test/helpers/gateway-fixture.js";

function chat(content: string, maxTokens?: number): ChatRequest {
  return { messages: [{ role: "user", content }], params: maxTokens === undefined ? {} : { maxTokens } };
}

describe("estimates", () => {
  const model = configFor({ m: { defaultMaxTokens: 100, contextWindow: 50, pricing: { inputPerMTok: 1, outputPerMTok: 3 } } }).models.get("m");
  if (!model) throw new Error("no model");

  it("counts one token per four characters of every message, at least one", () => {
    expect(estimateInputTokens(chat(""))).toBe(1);
    expect(estimateInputTokens(chat("abcdefghi"))).toBe(3);
    expect(estimateInputTokens({ messages: [{ role: "system", content: "abcd" }, { role: "user", content: "abcd" }], params: {} })).toBe(2);
  });

  it("prices estimated input plus maximum output exactly", () => {
    // 1 USD / MTok = 1,000,000 picos per token; 3 USD / MTok = 3,000,000.
    expect(estimateCostPicos(chat("abcdefgh"), model)).toBe(2n * 1_000_000n + 100n * 3_000_000n);
    expect(estimateCostPicos(chat("abcdefgh", 10), model)).toBe(2n * 1_000_000n + 10n * 3_000_000n);
    expect(budgetTokens(chat("abcdefgh"), model)).toBe(102);
  });

  it("checks the context window against the input and the max_tokens asked for", () => {
    expect(contextTokens(chat("a".repeat(160)))).toBe(40);
    expect(fitsWindow(model, contextTokens(chat("a".repeat(160))))).toBe(true);
    expect(fitsWindow(model, contextTokens(chat("a".repeat(160), 20)))).toBe(false);
  });
});

describe("estimateComplexity", () => {
  it("rates a short question simple", () => {
    expect(estimateComplexity(chat("What is the capital of France?"))).toBe("simple");
  });

  it("rates a code question with steps medium or above", () => {
    const prompt = "Fix this function:\n```js\nfunction f(a) { return a + 1 }\n```\nThen add a test.";
    const signals = complexitySignals(chat(prompt));
    expect(signals.codeBlocks).toBe(1);
    expect(estimateComplexity(chat(prompt))).toBe("medium");
  });

  it("rates long multi-step design work complex", () => {
    const prompt = [
      "Design a rate limiter for a distributed system and analyze the trade-offs.",
      "1. Describe the architecture.",
      "2. Compare token bucket and sliding window.",
      "3. Write the code.",
      "4. Prove it never admits more than the limit.",
      "```go\n// skeleton\n```",
    ].join("\n");
    const signals = complexitySignals(chat(prompt));
    expect(signals.steps).toBeGreaterThanOrEqual(4);
    expect(signals.reasoning).toBeGreaterThanOrEqual(3);
    expect(estimateComplexity(chat(prompt))).toBe("complex");
  });

  it("rates a very long prompt at least medium from its length alone", () => {
    expect(estimateComplexity(chat("lorem ipsum ".repeat(400)))).not.toBe("simple");
  });

  it("ignores earlier assistant answers", () => {
    const c: ChatRequest = { messages: [{ role: "assistant", content: "```a```\n```b```\nprove design analyze" }, { role: "user", content: "thanks!" }], params: {} };
    expect(estimateComplexity(c)).toBe("simple");
  });

  it("orders tiers by strength", () => {
    expect(tierCovers("complex", "simple")).toBe(true);
    expect(tierCovers("medium", "medium")).toBe(true);
    expect(tierCovers("simple", "medium")).toBe(false);
  });
});

/** Batches in parts: split in order, merged in order, and what parts answered before a failure may have billed. */
import { describe, expect, it } from "vitest";
import { billedParts, checkVector, mergeParts, splitBatch } from "./embed-types.js";
import { ProviderError } from "./errors.js";

const call = { inputs: ["a", "b", "c", "d", "e"], upstreamModel: "m", dimensions: 2 };

describe("embedding batches in parts", () => {
  it("splits a batch in order into parts of at most maxBatch inputs, keeping model and dimensions", () => {
    expect(splitBatch(call, 2).map((p) => [p.inputs, p.upstreamModel, p.dimensions])).toEqual([
      [["a", "b"], "m", 2],
      [["c", "d"], "m", 2],
      [["e"], "m", 2],
    ]);
    expect(splitBatch(call, 100)).toEqual([call]);
  });

  it("merges answers in order; input tokens are summed only when every part reported them", () => {
    const reported = [
      { vectors: [[1], [2]], usage: { inputTokens: 3, outputTokens: 0 }, responseModel: "m-1" },
      { vectors: [[3]], usage: { inputTokens: 4, outputTokens: 0 } },
    ];
    expect(mergeParts(reported)).toEqual({ vectors: [[1], [2], [3]], usage: { inputTokens: 7, outputTokens: 0 }, responseModel: "m-1" });
    expect(mergeParts([reported[0] ?? { vectors: [], usage: {} }, { vectors: [[3]], usage: {} }]).usage).toEqual({});
  });

  it("says what answered parts may have billed: their tokens, or an unknown input for the core to estimate (never zero)", () => {
    expect(billedParts([{ vectors: [[1]], usage: { inputTokens: 5, outputTokens: 0 } }])).toEqual({ inputTokens: 5, outputTokens: 0 });
    expect(billedParts([{ vectors: [[1]], usage: {} }])).toEqual({ outputTokens: 0 });
  });

  it("checks vectors: non-empty, numbers only, of the asked size", () => {
    expect(checkVector([0.5, 1], 0, 2)).toEqual([0.5, 1]);
    for (const bad of [[], [1, Number.NaN], "1,2", [1, 2, 3]]) expect(() => checkVector(bad, 4, 2)).toThrow(ProviderError);
  });
});

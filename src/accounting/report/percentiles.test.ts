import { describe, expect, it } from "vitest";
import { mergeHistograms, percentile, summarize } from "./percentiles.js";

describe("percentiles", () => {
  it("uses the nearest rank", () => {
    const h = Array.from({ length: 100 }, (_, i) => [i + 1, 1] as const);
    expect(summarize(h)).toEqual({ p50: 50, p95: 95, p99: 99 });
    expect(percentile([[10, 1], [20, 1], [30, 1]], 50)).toBe(20);
    expect(percentile([[10, 1], [20, 1]], 50)).toBe(10);
    expect(percentile([[7, 1]], 99)).toBe(7);
  });

  it("weights values by their counts", () => {
    expect(summarize([[100, 94], [5000, 6]])).toEqual({ p50: 100, p95: 5000, p99: 5000 });
  });

  it("is unknown without samples", () => {
    expect(summarize([])).toBeUndefined();
    expect(percentile([], 50)).toBeUndefined();
  });

  it("merges histograms by value", () => {
    expect(mergeHistograms([[[5, 1], [9, 2]], [[1, 4], [9, 1]]])).toEqual([[1, 4], [5, 1], [9, 3]]);
  });
});

import { describe, expect, it } from "vitest";
import type { HedgeConfig } from "../../config/schema.js";
import { hedgeDelayMs, hedgeDueIn } from "../attempts/hedge.js";
import { EWMA_ALPHA, LatencyStats, P95_MIN_SAMPLES } from "./latency-stats.js";

describe("LatencyStats", () => {
  it("keeps an exponentially weighted average per kind", () => {
    const s = new LatencyStats();
    expect(s.score(true)).toBeUndefined();
    s.record(true, 100);
    s.record(true, 200);
    expect(s.ttftMs).toBeCloseTo(EWMA_ALPHA * 200 + (1 - EWMA_ALPHA) * 100);
    expect(s.totalMs).toBeUndefined();
    // A unary request is ranked by the streams' latency until unary samples exist.
    expect(s.score(false)).toBeCloseTo(s.ttftMs ?? NaN);
    s.record(false, 1_000);
    expect(s.score(false)).toBe(1_000);
    expect(s.score(true)).toBeCloseTo(130);
  });

  it("reports a p95 only with enough samples, separately for streams and unary", () => {
    const s = new LatencyStats();
    for (let i = 1; i < P95_MIN_SAMPLES; i++) s.record(true, i);
    expect(s.p95(true)).toBeUndefined();
    for (let i = P95_MIN_SAMPLES; i <= 100; i++) s.record(true, i);
    expect(s.p95(true)).toBe(95);
    expect(s.p95(false)).toBeUndefined();
  });

  it("keeps only the latest samples for the percentile", () => {
    const s = new LatencyStats();
    for (let i = 0; i < 100; i++) s.record(false, 1_000);
    for (let i = 0; i < 100; i++) s.record(false, 10);
    expect(s.p95(false)).toBe(10);
  });
});

describe("hedge delay", () => {
  const p95: HedgeConfig = { delay: "p95", fallbackDelayMs: 700 };

  it("is the fixed delay when configured", () => {
    expect(hedgeDelayMs({ delay: 120, fallbackDelayMs: 700 }, new LatencyStats(), true)).toBe(120);
  });

  it("is the model's recent p95, or the fallback before there are enough samples", () => {
    const s = new LatencyStats();
    expect(hedgeDelayMs(p95, s, true)).toBe(700);
    expect(hedgeDelayMs(p95, undefined, true)).toBe(700);
    for (let i = 1; i <= 20; i++) s.record(true, i * 10);
    expect(hedgeDelayMs(p95, s, true)).toBe(190);
    expect(hedgeDelayMs(p95, s, false)).toBe(700);
  });

  it("counts from the start of the running attempt", () => {
    expect(hedgeDueIn(100, 1_000, 1_030)).toBe(70);
    expect(hedgeDueIn(100, 1_000, 1_500)).toBe(0);
  });
});

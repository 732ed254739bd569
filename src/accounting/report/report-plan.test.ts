import { describe, expect, it } from "vitest";
import { planSegments } from "./report-plan.js";
import type { Segment } from "./report-plan.js";

const H = 3_600_000;
const D = 86_400_000;

/** How many non-tail segments cover time t. */
function covering(segments: readonly Segment[], t: number): number {
  return segments.filter((s) => {
    if (s.kind === "day") return Math.floor(t / D) >= s.from && Math.floor(t / D) < s.to;
    if (s.kind === "hour") return Math.floor(t / H) >= s.from && Math.floor(t / H) < s.to;
    if (s.kind === "edge") return t >= s.fromMs && t < s.toMs;
    return false;
  }).length;
}

describe("planSegments", () => {
  it("covers every instant of the range exactly once and nothing outside it", () => {
    const base = Date.UTC(2026, 10, 1);
    const ranges: [number, number][] = [
      [base, base + 30 * D],
      [base + 1234, base + 3 * D - 99],
      [base + 5 * H + 1, base + 5 * H + 2],
      [base + 5 * H, base + 6 * H],
      [base + 23 * H + 59_000, base + D + 10],
      [base + 2 * H + 7, base + 50 * H - 7],
    ];
    for (const [start, end] of ranges) {
      for (const byHour of [false, true]) {
        const segments = planSegments(start, end, byHour);
        expect(segments.filter((s) => s.kind === "tail")).toEqual([{ kind: "tail", fromMs: start, toMs: end }]);
        if (byHour) expect(segments.some((s) => s.kind === "day")).toBe(false);
        for (const t of [start - 1, start, start + 1, end - 1, end, end + 1, ...Array.from({ length: 200 }, (_, i) => start + Math.floor(((end - start) * i) / 200))]) {
          expect(covering(segments, t), `t=${t - base} in [${start - base}, ${end - base}) byHour=${byHour}`).toBe(t >= start && t < end ? 1 : 0);
        }
      }
    }
  });

  it("answers whole days from day rollups and only edges from raw rows", () => {
    const base = Date.UTC(2026, 10, 1);
    const segments = planSegments(base + 30 * 60_000, base + 3 * D + 90 * 60_000, false);
    expect(segments).toContainEqual({ kind: "day", from: base / D + 1, to: base / D + 3 });
    expect(segments).toContainEqual({ kind: "edge", fromMs: base + 30 * 60_000, toMs: base + H });
    expect(segments).toContainEqual({ kind: "edge", fromMs: base + 3 * D + H, toMs: base + 3 * D + 90 * 60_000 });
  });

  it("plans nothing for an empty range", () => {
    expect(planSegments(5, 5, false)).toEqual([]);
  });
});

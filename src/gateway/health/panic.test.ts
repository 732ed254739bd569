import { describe, expect, it } from "vitest";
import type { Skip, SkipReason } from "./deployment.js";
import { panicChoice } from "./panic.js";

const skip = (model: string, reason: SkipReason, readyAt?: number): Skip => ({ model, reason, readyAt });
const rates = (r: Record<string, number>) => (model: string): number => r[model] ?? 1;

describe("panicChoice", () => {
  it("lets the candidate with the lowest error rate serve when every candidate is ejected", () => {
    const skips = [skip("a", "circuit_open", 3_000), skip("b", "circuit_open", 9_000), skip("c", "probe_in_flight")];
    expect(panicChoice(skips, rates({ a: 0.4, b: 0.2, c: 0.3 }), 0.5)).toBe("b");
  });

  it("breaks a tie by the earliest end of the open period, a half-open one first", () => {
    expect(panicChoice([skip("a", "circuit_open", 3_000), skip("b", "circuit_open", 2_000)], rates({ a: 0.3, b: 0.3 }), 0.5)).toBe("b");
    expect(panicChoice([skip("a", "circuit_open", 3_000), skip("b", "probe_in_flight")], rates({ a: 0.3, b: 0.3 }), 0.5)).toBe("b");
  });

  it("lets none serve at or above the bound", () => {
    expect(panicChoice([skip("a", "circuit_open", 1), skip("b", "circuit_open", 1)], rates({ a: 0.5, b: 0.9 }), 0.5)).toBeUndefined();
    expect(panicChoice([skip("a", "circuit_open", 1)], rates({ a: 0 }), 0)).toBeUndefined(); // bound 0: panic off
  });

  it("does not apply while some candidate is held back by something worth waiting for", () => {
    for (const reason of ["cooling_down", "rpm", "tpm", "backoff"] as const) {
      expect(panicChoice([skip("a", "circuit_open", 1), skip("b", reason, 500)], rates({ a: 0.1 }), 0.5), reason).toBeUndefined();
    }
    expect(panicChoice([], rates({}), 0.5)).toBeUndefined();
  });

  it("ignores a candidate out of retry budget, and never chooses it", () => {
    const skips = [skip("a", "retry_budget", Infinity), skip("b", "circuit_open", 1)];
    expect(panicChoice(skips, rates({ a: 0, b: 0.3 }), 0.5)).toBe("b");
    expect(panicChoice([skip("a", "retry_budget", Infinity)], rates({ a: 0 }), 0.5)).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { ProviderError } from "./errors.js";
import { PoolGate } from "./pool-gate.js";

/** The kind a refused `enter` throws, or "admitted". */
function tryEnter(gate: PoolGate, model: string): string | (() => void) {
  try {
    return gate.enter(model, "p");
  } catch (err) {
    return err instanceof ProviderError ? err.kind : "other";
  }
}

describe("PoolGate", () => {
  it("admits up to the total bound, refuses past it with queue_full, and admits again once a call leaves", () => {
    const gate = new PoolGate({ total: 3, perModel: 3 });
    const leaves = [tryEnter(gate, "a"), tryEnter(gate, "b"), tryEnter(gate, "a")];
    expect(leaves.every((l) => typeof l === "function")).toBe(true);
    expect(tryEnter(gate, "c")).toBe("queue_full");
    expect(gate.admitted).toBe(3);
    const first = leaves[0];
    if (typeof first === "function") {
      first();
      first(); // a second leave changes nothing
    }
    expect(gate.admitted).toBe(2);
    expect(typeof tryEnter(gate, "c")).toBe("function");
    expect(tryEnter(gate, "c")).toBe("queue_full");
  });

  it("keeps room for other models when one model holds its share", () => {
    const gate = new PoolGate({ total: 4, perModel: 2 });
    expect(typeof tryEnter(gate, "slow")).toBe("function");
    expect(typeof tryEnter(gate, "slow")).toBe("function");
    expect(tryEnter(gate, "slow")).toBe("queue_full");
    expect(typeof tryEnter(gate, "fast")).toBe("function");
    expect(typeof tryEnter(gate, "fast")).toBe("function");
  });

  it("names the bound that refused, without secrets", () => {
    const gate = new PoolGate({ total: 1, perModel: 1 });
    gate.enter("m", "openai");
    expect(() => gate.enter("m", "openai")).toThrow(/provider openai has 1 calls in flight and queued \(bound 1\)/);
  });
});

import { describe, expect, it } from "vitest";
import type { GatewayConfig, ModelConfig, Tier } from "../../../config/schema.js";
import type { ChatRequest } from "../../../providers/types.js";
import { Balancer } from "../../health/balancer.js";
import type { Random } from "../../clock.js";
import { configFor } from "../../../../test/helpers/gateway-fixture.js";
import { byComplexity } from "./complexity.js";
import { cheapestFirst } from "./cost.js";
import { fastestFirst } from "./latency.js";
import { ordered } from "./ordered.js";
import type { StrategyInput } from "./strategy.js";
import { SmoothWeightedRoundRobin, weighted } from "./weighted.js";

let t = 0;
const clock = { now: () => t, monotonic: () => t };
const CHAT: ChatRequest = { messages: [{ role: "user", content: "hi" }], params: { maxTokens: 100 } };

function setup(models: Record<string, Record<string, unknown>>): { config: GatewayConfig; balancer: Balancer; all: ModelConfig[] } {
  const config = configFor(models);
  return { config, balancer: new Balancer(config, clock), all: [...config.models.values()] };
}

function input(balancer: Balancer, models: ModelConfig[], extra: Partial<StrategyInput> = {}): StrategyInput {
  return { models, chat: CHAT, stream: false, complexity: undefined, view: balancer, random: () => 0, rr: new SmoothWeightedRoundRobin(), ...extra };
}

const names = (ms: readonly ModelConfig[]): string[] => ms.map((m) => m.name);

describe("ordered", () => {
  it("keeps the configured order", () => {
    const { balancer, all } = setup({ a: {}, b: {}, c: {} });
    expect(names(ordered(input(balancer, all)))).toEqual(["a", "b", "c"]);
  });
});

describe("smooth weighted round robin", () => {
  it("spreads picks evenly in proportion to the weights (nginx sequence)", () => {
    const rr = new SmoothWeightedRoundRobin();
    const picks = Array.from({ length: 7 }, () => rr.pick([["a", 5], ["b", 1], ["c", 1]]));
    expect(picks.join("")).toBe("aabacaa");
  });

  it("never picks a zero weight", () => {
    const rr = new SmoothWeightedRoundRobin();
    expect(rr.pick([["a", 0], ["b", 0]])).toBeUndefined();
    expect(Array.from({ length: 4 }, () => rr.pick([["a", 0], ["b", 2]]))).toEqual(["b", "b", "b", "b"]);
  });

  it("puts the pick first and the rest by weight", () => {
    const { balancer, all } = setup({ a: { weight: 1 }, b: { weight: 3 }, c: { weight: 2 } });
    const rr = new SmoothWeightedRoundRobin();
    const firsts = Array.from({ length: 6 }, () => weighted(input(balancer, all, { rr })));
    expect(firsts.map((o) => o[0]?.name).join("")).toBe("bcabcb");
    expect(names(firsts[0] ?? [])).toEqual(["b", "c", "a"]);
  });

  it("adjusts weights by health: an open breaker gets nothing, errors shrink the share", () => {
    const { balancer, all } = setup({ a: { weight: 1 }, b: { weight: 1 } });
    const a = balancer.deployment("a");
    if (!a) throw new Error("no a");
    for (let i = 0; i < 5; i++) {
      const ticket = a.admit(1, t);
      if ("permit" in ticket) a.finish(ticket, { errorKind: "server_error", neutral: false, retryAfterMs: undefined, usage: {}, stream: false, firstAnswerMs: undefined }, t);
    }
    expect(a.breaker.state(t)).toBe("open");
    const rr = new SmoothWeightedRoundRobin();
    const firsts = Array.from({ length: 4 }, () => weighted(input(balancer, all, { rr }))[0]?.name);
    expect(firsts).toEqual(["b", "b", "b", "b"]);
    // Half-open: back to its full weight, so the probe comes at its normal turn.
    t += 30_000;
    expect(a.effectiveWeight(t)).toBe(1);
    expect(Array.from({ length: 4 }, () => weighted(input(balancer, all, { rr }))[0]?.name)).toContain("a");
  });

  it("shrinks the share of a deployment with recent errors", () => {
    const { balancer } = setup({ a: { weight: 2 } });
    const a = balancer.deployment("a");
    if (!a) throw new Error("no a");
    for (let i = 0; i < 20; i++) {
      const ticket = a.admit(1, t);
      const errorKind = i % 4 === 0 ? "server_error" : undefined;
      if ("permit" in ticket) a.finish(ticket, { errorKind, neutral: false, retryAfterMs: undefined, usage: {}, stream: false, firstAnswerMs: undefined }, t);
    }
    expect(a.effectiveWeight(t)).toBeCloseTo(2 * 0.75);
  });
});

describe("cost", () => {
  it("orders by estimated input and maximum output at each model's prices", () => {
    const { balancer, all } = setup({
      pricey: { pricing: { inputPerMTok: 3, outputPerMTok: 15 } },
      cheapInput: { pricing: { inputPerMTok: 0.1, outputPerMTok: 4 } },
      cheapOutput: { pricing: { inputPerMTok: 1, outputPerMTok: 0.5 } },
    });
    // 1 input token, 100 output tokens: output price dominates.
    expect(names(cheapestFirst(input(balancer, all)))).toEqual(["cheapOutput", "cheapInput", "pricey"]);
    // A long prompt with 1 output token: input price dominates.
    const long: ChatRequest = { messages: [{ role: "user", content: "x".repeat(40_000) }], params: { maxTokens: 1 } };
    expect(names(cheapestFirst(input(balancer, all, { chat: long })))).toEqual(["cheapInput", "cheapOutput", "pricey"]);
  });
});

describe("latency", () => {
  function withLatency(lat: Record<string, number>, inflight: Record<string, number> = {}): { balancer: Balancer; all: ModelConfig[] } {
    const s = setup(Object.fromEntries(Object.keys(lat).map((k) => [k, {}])));
    for (const [name, ms] of Object.entries(lat)) {
      const d = s.balancer.deployment(name);
      d?.stats.record(false, ms);
      for (let i = 0; i < (inflight[name] ?? 0); i++) d?.admit(1, t);
    }
    return s;
  }

  it("puts the lowest recent latency first when no other is close", () => {
    const { balancer, all } = withLatency({ slow: 900, fast: 100, mid: 400 });
    expect(names(fastestFirst(input(balancer, all)))).toEqual(["fast", "mid", "slow"]);
  });

  it("draws two of the close candidates and prefers the one with fewer calls in flight", () => {
    const { balancer, all } = withLatency({ a: 100, b: 120, c: 1_000 }, { a: 5, b: 1 });
    // random 0 then 0 draws a (index 0) and b (index 1): b has fewer in flight.
    expect(names(fastestFirst(input(balancer, all, { random: () => 0 })))).toEqual(["b", "a", "c"]);
  });

  it("uses the random draw among equals, so a fast provider is not stampeded", () => {
    const { balancer, all } = withLatency({ a: 100, b: 100, c: 100 });
    const firsts = new Set<string | undefined>();
    const draws: Random[] = [() => 0, () => 0.5, () => 0.9];
    for (const random of draws) firsts.add(fastestFirst(input(balancer, all, { random }))[0]?.name);
    expect(firsts.size).toBeGreaterThan(1);
  });

  it("ranks streams by time to first token", () => {
    const s = setup({ a: {}, b: {} });
    s.balancer.deployment("a")?.stats.record(true, 50);
    s.balancer.deployment("b")?.stats.record(true, 500);
    s.balancer.deployment("a")?.stats.record(false, 5_000);
    s.balancer.deployment("b")?.stats.record(false, 600);
    expect(names(fastestFirst(input(s.balancer, s.all, { stream: true })))).toEqual(["a", "b"]);
    expect(names(fastestFirst(input(s.balancer, s.all, { stream: false })))).toEqual(["b", "a"]);
  });
});

describe("complexity", () => {
  const catalogue = {
    gpt: { tier: "complex", pricing: { inputPerMTok: 2, outputPerMTok: 8 } },
    flash: { tier: "medium", pricing: { inputPerMTok: 0.3, outputPerMTok: 2.5 } },
    deepseek: { tier: "simple", pricing: { inputPerMTok: 0.28, outputPerMTok: 0.42 } },
    claude: { tier: "complex", pricing: { inputPerMTok: 3, outputPerMTok: 15 } },
  };
  const order = (complexity: Tier | undefined, chat: ChatRequest = CHAT): string[] => {
    const { balancer, all } = setup(catalogue);
    return names(byComplexity(input(balancer, all, { complexity, chat })));
  };

  it("sends a simple request to the cheapest model, stronger tiers as fallbacks", () => {
    expect(order("simple")).toEqual(["deepseek", "flash", "gpt", "claude"]);
  });

  it("sends a medium request to the cheapest medium-or-stronger model; weaker tiers only last", () => {
    expect(order("medium")).toEqual(["flash", "gpt", "claude", "deepseek"]);
  });

  it("sends a complex request to the cheapest complex model", () => {
    expect(order("complex")).toEqual(["gpt", "claude", "flash", "deepseek"]);
  });

  it("estimates the tier from the prompt when there is no hint", () => {
    expect(order(undefined)[0]).toBe("deepseek");
    const hard: ChatRequest = {
      messages: [{ role: "user", content: "Design and prove a lock-free queue; analyze the trade-offs.\n1. a\n2. b\n3. c\n4. d\n```c\n```" }],
      params: {},
    };
    expect(order(undefined, hard)[0]).toBe("gpt");
  });
});

/** Routing strategies and constraints through the running server. */
import { ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Complexity, ErrorKind } from "../../gen/llmgateway/v1/types_pb.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";
import { ask, runMany, tryComplete } from "../helpers/scenario.js";

describe("routing", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      endpoints: {
        strong: { kind: "openai" },
        mid: { kind: "openai" },
        cheap: { kind: "openai" },
        fast: { kind: "openai", profile: { latencyMs: 1 } },
        slow: { kind: "openai", profile: { latencyMs: 40 } },
        tiny: { kind: "openai", profile: { errorRate: 1, error: "context_too_long" } },
      },
      config: {
        models: {
          gpt: { provider: "strong", tier: "complex", weight: 1, contextWindow: 1_000_000, pricing: { inputPerMTok: 2, outputPerMTok: 8 } },
          flash: { provider: "mid", tier: "medium", weight: 3, contextWindow: 1_000_000, pricing: { inputPerMTok: 0.3, outputPerMTok: 2.5 } },
          deepseek: { provider: "cheap", tier: "simple", contextWindow: 100, pricing: { inputPerMTok: 0.28, outputPerMTok: 0.42 } },
          quick: { provider: "fast", pricing: { inputPerMTok: 1, outputPerMTok: 1 } },
          sluggish: { provider: "slow", pricing: { inputPerMTok: 1, outputPerMTok: 1 } },
          narrow: { provider: "tiny", contextWindow: 200, pricing: { inputPerMTok: 0.1, outputPerMTok: 0.1 } },
        },
        routes: {
          auto: { strategy: "complexity", models: ["deepseek", "flash", "gpt"] },
          cheap: { strategy: "cost", models: ["gpt", "flash", "deepseek"] },
          spread: { strategy: "weighted", models: ["gpt", "flash"] },
          fastest: { strategy: "latency", models: ["sluggish", "quick"] },
          windows: { strategy: "cost", models: ["narrow", "deepseek", "gpt"] },
        },
      },
    });
  });
  afterAll(async () => h.close());

  const model = (r: Awaited<ReturnType<typeof tryComplete>>): string => (r instanceof ConnectError ? `error: ${r.message}` : r.model);

  it("cost: the cheapest model first", async () => {
    expect(model(await tryComplete(h.grpc, ask("cheap", "hi", 50)))).toBe("deepseek");
  });

  it("complexity: the hint, or an estimate, picks the cheapest tier that covers it", async () => {
    expect(model(await tryComplete(h.grpc, { ...ask("auto", "hi"), complexity: Complexity.SIMPLE }))).toBe("deepseek");
    expect(model(await tryComplete(h.grpc, { ...ask("auto", "hi"), complexity: Complexity.MEDIUM }))).toBe("flash");
    expect(model(await tryComplete(h.grpc, { ...ask("auto", "hi"), complexity: Complexity.COMPLEX }))).toBe("gpt");
    const hard = "Design a sharded queue and prove it is linearizable; analyze the trade-offs.\n1. a\n2. b\n3. c\n4. d";
    expect(model(await tryComplete(h.grpc, ask("auto", hard)))).toBe("gpt");
  });

  it("weighted: an even spread in proportion to the weights", async () => {
    const before = { gpt: h.sim.tally("strong").succeeded, flash: h.sim.tally("mid").succeeded };
    await runMany(40, 1, () => tryComplete(h.grpc, ask("spread")));
    expect(h.sim.tally("strong").succeeded - before.gpt).toBe(10);
    expect(h.sim.tally("mid").succeeded - before.flash).toBe(30);
  });

  it("latency: the recently fastest model serves most requests", async () => {
    await runMany(6, 1, () => tryComplete(h.grpc, ask("fastest"))); // both get measured
    const results = await runMany(30, 1, () => tryComplete(h.grpc, ask("fastest")));
    expect(results.filter((r) => model(r) === "quick").length).toBeGreaterThanOrEqual(28);
  });

  it("skips a model whose context window is too small, and moves on from context-too-long to a larger window", async () => {
    // ~150 tokens: too big for deepseek (100), within narrow (200) which then answers context_too_long.
    const cheapBefore = h.sim.tally("cheap").requests;
    const r = await tryComplete(h.grpc, ask("windows", "x".repeat(600)));
    if (r instanceof ConnectError) throw r;
    expect(r.model).toBe("gpt");
    expect(r.attempts.map((a) => [a.model, a.errorKind])).toEqual([
      ["narrow", ErrorKind.CONTEXT_TOO_LONG],
      ["gpt", ErrorKind.UNSPECIFIED],
    ]);
    expect(h.sim.tally("cheap").requests).toBe(cheapBefore); // skipped, never called
  });
});

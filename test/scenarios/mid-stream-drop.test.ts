/** Streams dropping mid-way: before the first token the gateway fails over silently; after it the client gets UNAVAILABLE with the attempts. */
import { Code } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import { AttemptOutcome, ErrorKind } from "../../gen/llmgateway/v1/types_pb.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";
import { ask, attemptsOf, collectStream, runMany } from "../helpers/scenario.js";
import type { SimProfile } from "../../src/sim/profile.js";

const PRICING = { inputPerMTok: 1, outputPerMTok: 2 };
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(first: SimProfile, failover: Record<string, unknown> = {}, breaker: Record<string, unknown> = {}): Promise<Harness> {
  return startHarness({
    endpoints: { flaky: { kind: "openai", profile: first }, good: { kind: "openai" } },
    config: {
      models: { mflaky: { provider: "flaky", pricing: PRICING }, mgood: { provider: "good", pricing: PRICING } },
      routes: { chain: { strategy: "ordered", models: ["mflaky", "mgood"] } },
      failover,
      breaker,
    },
  });
}

describe("a stream dropping mid-way", () => {
  it("before the first token: fails over silently and the client sees one clean answer", async () => {
    h = await start({ dropRate: 1, dropAfterChunks: 0 });
    const s = await collectStream(h.grpc, ask("chain"));
    expect(s.error).toBeUndefined();
    expect(s.text).toBe("The gateway answers from a simulated model with exact usage and cost");
    expect(s.summary?.model).toBe("mgood");
    expect(s.summary?.attempts.map((a) => [a.model, a.outcome, a.errorKind])).toEqual([
      ["mflaky", AttemptOutcome.FAILED, ErrorKind.NETWORK],
      ["mgood", AttemptOutcome.SUCCEEDED, ErrorKind.UNSPECIFIED],
    ]);
    expect(h.sim.tally("flaky").dropped).toBe(1);
  });

  it("after the first token: ends with UNAVAILABLE and the attempts, never as a clean end, and does not fail over", async () => {
    h = await start({ dropRate: 1, dropAfterChunks: 3 });
    const s = await collectStream(h.grpc, ask("chain"));
    expect(s.deltas).toBe(3);
    expect(s.summary).toBeUndefined();
    expect(s.error?.code).toBe(Code.Unavailable);
    const attempts = attemptsOf(s.error!);
    expect(attempts.map((a) => [a.model, a.outcome, a.errorKind])).toEqual([["mflaky", AttemptOutcome.FAILED, ErrorKind.NETWORK]]);
    expect(attempts[0]?.timeToFirstToken).toBeDefined();
    expect(h.sim.tally("good").requests).toBe(0);
  });

  it("after the first token: a stall longer than the idle timeout ends with UNAVAILABLE", async () => {
    h = await start({ chunkDelayMs: 400, answerWords: 3 }, { streamIdleMs: 150, firstTokenTimeoutMs: 2_000 });
    const s = await collectStream(h.grpc, ask("chain"));
    expect(s.deltas).toBe(1);
    expect(s.error?.code).toBe(Code.Unavailable);
    const attempts = attemptsOf(s.error!);
    expect(attempts[0]?.errorKind).toBe(ErrorKind.TIMEOUT);
    expect(attempts[0]?.reason).toContain("idle");
  });

  it("under a mix of drops, every stream either completes cleanly or ends with UNAVAILABLE after its first token", async () => {
    // A breaker that never opens, so the dropping provider keeps being called in both phases.
    h = await start({ dropRate: 0.5, dropAfterChunks: 0, seed: 7 }, { maxAttempts: 10 }, { consecutiveFailures: 1000, errorRate: 1, minRequests: 100_000 });
    const streams = await runMany(40, 8, (i) => collectStream(h!.grpc, ask("chain", `s${i}`)));
    expect(streams.every((s) => s.error === undefined && s.summary !== undefined)).toBe(true);
    h.sim.setProfile("flaky", { dropRate: 0.5, dropAfterChunks: 4, seed: 9 });
    const late = await runMany(40, 8, (i) => collectStream(h!.grpc, ask("chain", `t${i}`)));
    for (const s of late) {
      if (s.error) {
        expect(s.error.code).toBe(Code.Unavailable);
        expect(s.deltas).toBe(4);
      } else expect(s.summary?.text).toBe("");
    }
    expect(late.some((s) => s.error)).toBe(true);
    expect(late.some((s) => !s.error)).toBe(true);
  });
});

/** Rate limits: 429 with Retry-After cools a deployment down (not called meanwhile); RPM limits skip; all limited -> RESOURCE_EXHAUSTED. */
import { Code, ConnectError } from "@connectrpc/connect";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { Health } from "../../gen/llmgateway/v1/models_pb.js";
import { ErrorKind } from "../../gen/llmgateway/v1/types_pb.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";
import { ask, attemptsOf, runMany, tryComplete } from "../helpers/scenario.js";

const PRICING = { inputPerMTok: 1, outputPerMTok: 2 };
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("rate limited providers", () => {
  it("cools a 429ing deployment down for Retry-After and serves from the others meanwhile", async () => {
    h = await startHarness({
      endpoints: { limited: { kind: "openai", profile: { errorRate: 1, error: "rate_limited", retryAfterS: 30 } }, free: { kind: "openai" } },
      config: {
        models: { ml: { provider: "limited", pricing: PRICING }, mf: { provider: "free", pricing: PRICING } },
        routes: { chain: { strategy: "ordered", models: ["ml", "mf"] } },
      },
    });
    const results = await runMany(50, 1, (i) => tryComplete(h!.grpc, ask("chain", `q${i}`)));
    expect(results.every((r) => !(r instanceof ConnectError) && r.model === "mf")).toBe(true);
    // Called once; the 30 s Retry-After keeps it out of the following 49 requests.
    expect(h.sim.tally("limited").requests).toBe(1);
    const first = results[0];
    if (first instanceof ConnectError || !first) throw new Error("no first answer");
    expect(first.attempts.map((a) => a.errorKind)).toEqual([ErrorKind.RATE_LIMITED, ErrorKind.UNSPECIFIED]);
    expect(first.attempts[0]?.httpStatus).toBe(429);
    expect(h.app.gateway.health("ml")).toBe("cooling_down");
    const listed = await h.grpc.listModels({});
    expect(listed.models.find((m) => m.name === "ml")?.health).toBe(Health.COOLING_DOWN);
    // Cooling down is not a breaker failure.
    expect(h.app.gateway.balancer.deployment("ml")?.breaker.state(h.app.gateway.balancer.now())).toBe("closed");
  });

  it("answers a short Retry-After with RESOURCE_EXHAUSTED at once, not a retry of the same deployment; served once it passed", async () => {
    // Seed 8: the first draw is below 0.5 (429), the second above (served).
    h = await startHarness({
      endpoints: { m: { kind: "openai", profile: { errorRate: 0.5, error: "rate_limited", retryAfterS: 0.3, seed: 8 } } },
      config: { models: { m1: { provider: "m", pricing: PRICING } } },
    });
    const r = await tryComplete(h.grpc, ask("m1"));
    if (!(r instanceof ConnectError)) throw new Error("served");
    expect(r.code).toBe(Code.ResourceExhausted);
    expect(r.message).toContain("retry after 0.3 s");
    expect(attemptsOf(r).map((a) => a.errorKind)).toEqual([ErrorKind.RATE_LIMITED]);
    expect(h.sim.tally("m").requests).toBe(1);
    await sleep(300);
    const later = await tryComplete(h.grpc, ask("m1"));
    if (later instanceof ConnectError) throw later;
    expect(later.attempts.map((a) => a.errorKind)).toEqual([ErrorKind.UNSPECIFIED]);
  });

  it("answers RESOURCE_EXHAUSTED with the attempts when every candidate is rate limited", async () => {
    h = await startHarness({
      endpoints: {
        a: { kind: "openai", profile: { errorRate: 1, error: "rate_limited", retryAfterS: 20 } },
        b: { kind: "openai", profile: { errorRate: 1, error: "rate_limited", retryAfterS: 20 } },
      },
      config: {
        models: { ma: { provider: "a", pricing: PRICING }, mb: { provider: "b", pricing: PRICING } },
        routes: { both: { strategy: "ordered", models: ["ma", "mb"] } },
      },
    });
    const r = await tryComplete(h.grpc, ask("both"));
    if (!(r instanceof ConnectError)) throw new Error("served");
    expect(r.code).toBe(Code.ResourceExhausted);
    expect(attemptsOf(r).map((a) => [a.model, a.errorKind])).toEqual([
      ["ma", ErrorKind.RATE_LIMITED],
      ["mb", ErrorKind.RATE_LIMITED],
    ]);
    // While both cool down, nothing is called at all.
    const again = await tryComplete(h.grpc, ask("both"));
    expect(again instanceof ConnectError && again.code).toBe(Code.ResourceExhausted);
    expect(h.sim.tally("a").requests + h.sim.tally("b").requests).toBe(2);
  });

  it("skips a deployment at its RPM limit instead of calling it", async () => {
    h = await startHarness({
      endpoints: { a: { kind: "openai" }, b: { kind: "openai" } },
      config: {
        models: { ma: { provider: "a", rpm: 3, pricing: PRICING, fallbacks: ["mb"] }, mb: { provider: "b", pricing: PRICING }, solo: { provider: "a", rpm: 1, pricing: PRICING } },
      },
    });
    const results = await runMany(6, 1, () => tryComplete(h!.grpc, ask("ma")));
    expect(results.map((r) => (r instanceof ConnectError ? r.message : r.model))).toEqual(["ma", "ma", "ma", "mb", "mb", "mb"]);
    expect(results.slice(3).every((r) => !(r instanceof ConnectError) && r.attempts.length === 1)).toBe(true);
    // A model without a fallback at its limit: RESOURCE_EXHAUSTED, and the provider is not called.
    await tryComplete(h.grpc, ask("solo"));
    const before = h.sim.tally("a").requests;
    const limited = await tryComplete(h.grpc, ask("solo"));
    expect(limited instanceof ConnectError && limited.code).toBe(Code.ResourceExhausted);
    expect(limited instanceof ConnectError && limited.message).toContain("solo rpm");
    expect(h.sim.tally("a").requests).toBe(before);
  });
});

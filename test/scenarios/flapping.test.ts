/** A provider flapping up and down: every request succeeds, the breaker opens and closes with it. */
import { ConnectError } from "@connectrpc/connect";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";
import { ask, collectStream, runMany, tryComplete } from "../helpers/scenario.js";

const PRICING = { inputPerMTok: 1, outputPerMTok: 2 };
const FLIP_MS = 120;
const COOLDOWN_MS = 100;

describe("a flapping provider", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      endpoints: { flappy: { kind: "openai", profile: { latencyMs: 2 } }, steady: { kind: "openai", profile: { latencyMs: 2 } } },
      config: {
        models: { mf: { provider: "flappy", pricing: PRICING }, ms: { provider: "steady", pricing: PRICING } },
        routes: { chain: { strategy: "ordered", models: ["mf", "ms"] } },
        breaker: { consecutiveFailures: 2, cooldownMs: COOLDOWN_MS },
      },
    });
  });
  afterAll(async () => h.close());

  it("serves every request while the provider flips between down and up", async () => {
    let flipping = true;
    let down = false;
    let flips = 0;
    const flipper = (async () => {
      while (flipping) {
        await sleep(FLIP_MS);
        down = !down;
        flips++;
        h.sim.setProfile("flappy", down ? { down: true } : { latencyMs: 2 });
      }
    })();
    const unary = await runMany(300, 8, (i) => tryComplete(h.grpc, ask("chain", `u${i}`)));
    const streams = await runMany(100, 8, (i) => collectStream(h.grpc, ask("chain", `s${i}`)));
    flipping = false;
    await flipper;

    expect(unary.filter((r) => r instanceof ConnectError).map((e) => (e as ConnectError).message)).toEqual([]);
    expect(streams.filter((s) => s.error).map((s) => s.error?.message)).toEqual([]);
    expect(flips).toBeGreaterThanOrEqual(4);
    const byModel = (m: string): number => unary.filter((r) => !(r instanceof ConnectError) && r.model === m).length;
    // The flapping provider served while it was up, and the breaker opened while it was down.
    expect(byModel("mf")).toBeGreaterThan(0);
    expect(byModel("ms")).toBeGreaterThan(0);
    expect(h.app.gateway.balancer.deployment("mf")?.breaker.timesOpened).toBeGreaterThanOrEqual(2);
    expect(h.sim.tally("flappy").errors).toBeGreaterThan(0);
  });

  it("is healthy again once it stays up", async () => {
    h.sim.setProfile("flappy", {});
    await sleep(COOLDOWN_MS + 20);
    await runMany(5, 1, () => tryComplete(h.grpc, ask("chain")));
    expect(h.app.gateway.health("mf")).toBe("healthy");
    const r = await tryComplete(h.grpc, ask("chain"));
    expect(r instanceof ConnectError ? r.message : r.model).toBe("mf");
  });
});

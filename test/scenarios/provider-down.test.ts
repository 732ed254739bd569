/** One provider hard down: its breaker opens and it receives only the half-open probes; it recovers when it is back. */
import { ConnectError } from "@connectrpc/connect";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health } from "../../gen/llmgateway/v1/models_pb.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";
import { ask, collectStream, runMany, tryComplete } from "../helpers/scenario.js";

const PRICING = { inputPerMTok: 1, outputPerMTok: 2 };
const THRESHOLD = 3;
const COOLDOWN_MS = 250;
const CONCURRENCY = 4;

describe("one provider hard down", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      endpoints: { down: { kind: "openai", profile: { down: true } }, b: { kind: "openai" }, c: { kind: "openai" } },
      config: {
        models: { md: { provider: "down", pricing: PRICING }, mb: { provider: "b", pricing: PRICING }, mc: { provider: "c", pricing: PRICING } },
        // The down model comes first: without a breaker every request would call it.
        routes: { chain: { strategy: "ordered", models: ["md", "mb", "mc"] } },
        breaker: { consecutiveFailures: THRESHOLD, cooldownMs: COOLDOWN_MS },
      },
    });
  });
  afterAll(async () => h.close());

  it("opens the breaker, sends only half-open probes, and serves every request elsewhere", async () => {
    const started = performance.now();
    const results: Array<Awaited<ReturnType<typeof tryComplete>>> = [];
    // Keep traffic flowing for several cooldowns.
    while (performance.now() - started < 6 * COOLDOWN_MS) {
      results.push(...(await runMany(20, CONCURRENCY, (i) => tryComplete(h.grpc, ask("chain", `q${i}`)))));
    }
    const elapsed = performance.now() - started;
    const errors = results.filter((r): r is ConnectError => r instanceof ConnectError);
    expect(errors.map((e) => e.message)).toEqual([]);

    const calls = h.sim.tally("down").requests;
    const recorded = results.flatMap((r) => (r instanceof ConnectError ? [] : r.attempts)).filter((a) => a.model === "md");
    expect(recorded).toHaveLength(calls); // every call the down provider saw is a recorded attempt
    // Before it opened: at most THRESHOLD failures plus the calls already in flight; after: one probe per cooldown.
    const probes = Math.ceil(elapsed / COOLDOWN_MS) + 1;
    console.log(`down: ${calls} calls to the down provider over ${results.length} requests in ${Math.round(elapsed)} ms (bound ${THRESHOLD + CONCURRENCY - 1 + probes})`);
    expect(calls).toBeLessThanOrEqual(THRESHOLD + CONCURRENCY - 1 + probes);
    expect(calls).toBeGreaterThanOrEqual(THRESHOLD + 2); // and it was probed again after cooldowns
    expect(results.length).toBeGreaterThan(10 * calls);
    // A probe is a single call: no request saw the down provider twice.
    for (const r of results) if (!(r instanceof ConnectError)) expect(r.attempts.filter((a) => a.model === "md").length).toBeLessThanOrEqual(1);
    expect(h.app.gateway.balancer.deployment("md")?.breaker.timesOpened).toBeGreaterThanOrEqual(2);

    const listed = await h.grpc.listModels({});
    const health = listed.models.find((m) => m.name === "md")?.health;
    expect([Health.UNHEALTHY, Health.PROBING]).toContain(health);
    expect(listed.models.find((m) => m.name === "mb")?.health).toBe(Health.HEALTHY);
  });

  it("streams are served elsewhere too, without touching the open breaker", async () => {
    const before = h.sim.tally("down").requests;
    const streams = await runMany(10, CONCURRENCY, (i) => collectStream(h.grpc, ask("chain", `s${i}`)));
    expect(streams.map((s) => s.error?.message)).toEqual(new Array(10).fill(undefined));
    expect(streams.every((s) => s.summary?.model === "mb" || s.summary?.model === "mc")).toBe(true);
    expect(h.sim.tally("down").requests - before).toBeLessThanOrEqual(1);
  });

  it("closes the breaker after a successful probe once the provider is back", async () => {
    h.sim.setProfile("down", {});
    await sleep(COOLDOWN_MS + 20);
    const r = await tryComplete(h.grpc, ask("chain"));
    if (r instanceof ConnectError) throw r;
    expect(r.model).toBe("md");
    expect(h.app.gateway.health("md")).toBe("healthy");
    const listed = await h.grpc.listModels({});
    expect(listed.models.find((m) => m.name === "md")?.health).toBe(Health.HEALTHY);
  });
});

/** Acceptance: three providers each failing 30% of requests independently; every request through the gateway succeeds. */
import { ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";
import { ask, collectStream, runMany, tryComplete } from "../helpers/scenario.js";

const PRICING = { inputPerMTok: 1, outputPerMTok: 2 };
const UNARY = 1_000;
const STREAMS = 200;

describe("three providers failing 30% each", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      endpoints: {
        p1: { kind: "openai", profile: { errorRate: 0.3, error: "server_error", seed: 101 } },
        p2: { kind: "openai", profile: { errorRate: 0.3, error: "overloaded", seed: 202 } },
        p3: { kind: "openai", profile: { errorRate: 0.3, error: "server_error", seed: 303 } },
      },
      config: {
        models: {
          m1: { provider: "p1", pricing: PRICING },
          m2: { provider: "p2", pricing: PRICING },
          m3: { provider: "p3", pricing: PRICING },
        },
        routes: { all: { strategy: "weighted", models: ["m1", "m2", "m3"] } },
        // Ten attempts: at 30% independent failures a request fails them all with p = 0.3^10 = 6e-6
        // (the default 4 leaves 0.3^4 = 0.8%). A short backoff keeps the run fast. Breaker defaults:
        // runs of 5 failures do trip breakers here, and the short initial cooldown brings them back.
        failover: { maxAttempts: 10, backoffBaseMs: 5, backoffMaxMs: 50 },
      },
    });
  });
  afterAll(async () => h.close());

  it(`serves ${UNARY} unary and ${STREAMS} streamed requests, all successfully`, async () => {
    const started = performance.now();
    const unary = await runMany(UNARY, 32, (i) => tryComplete(h.grpc, ask("all", `request ${i}`)));
    const streams = await runMany(STREAMS, 32, (i) => collectStream(h.grpc, ask("all", `stream ${i}`)));
    const ms = performance.now() - started;

    const errors = unary.filter((r): r is ConnectError => r instanceof ConnectError);
    expect(errors.map((e) => e.message)).toEqual([]);
    expect(streams.filter((s) => s.error !== undefined || s.summary === undefined).map((s) => s.error?.message)).toEqual([]);

    const attempts = [...unary.flatMap((r) => (r instanceof ConnectError ? [] : r.attempts)), ...streams.flatMap((s) => s.summary?.attempts ?? [])];
    const served = { p1: h.sim.tally("p1"), p2: h.sim.tally("p2"), p3: h.sim.tally("p3") };
    const calls = served.p1.requests + served.p2.requests + served.p3.requests;
    // Every provider call is one recorded attempt, and every answer was served by exactly one of them.
    expect(attempts.length).toBe(calls);
    expect(served.p1.succeeded + served.p2.succeeded + served.p3.succeeded).toBe(UNARY + STREAMS);
    // The weighted route spreads the load: every provider served a fair share.
    for (const t of Object.values(served)) expect(t.succeeded).toBeGreaterThan((UNARY + STREAMS) / 6);
    const maxPerRequest = Math.max(...unary.map((r) => (r instanceof ConnectError ? 0 : r.attempts.length)));
    console.log(
      `acceptance: ${UNARY + STREAMS} requests in ${Math.round(ms)} ms, ${calls} provider calls ` +
        `(${(calls / (UNARY + STREAMS)).toFixed(2)} per request, max ${maxPerRequest}), ` +
        `errors served p1/p2/p3 ${served.p1.errors}/${served.p2.errors}/${served.p3.errors}, breaker opened ` +
        ["m1", "m2", "m3"].map((m) => h.app.gateway.balancer.deployment(m)?.breaker.timesOpened).join("/"),
    );
  });
});

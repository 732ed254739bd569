/** One model, no fallbacks, failing 30% of calls: the breaker never isolates it, retries keep serving >= 99% in every round. */
import { ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";
import { ask, runMany, tryComplete } from "../helpers/scenario.js";

const ROUNDS = 10;
const PER_ROUND = 1_000;
const CONCURRENCY = 32;

describe("a sole model failing 30% of calls", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      endpoints: { flaky: { kind: "openai", profile: { errorRate: 0.3, error: "server_error", seed: 17 } } },
      // Default breaker, failover and retry budget: the defaults are what is shown here.
      config: { models: { solo: { provider: "flaky", pricing: { inputPerMTok: 1, outputPerMTok: 2 } } } },
    });
  });
  afterAll(async () => h.close());

  it(`serves >= 99% of ${PER_ROUND} requests in each of ${ROUNDS} rounds`, { timeout: 300_000 }, async () => {
    const served: number[] = [];
    const failures = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      const results = await runMany(PER_ROUND, CONCURRENCY, (i) => tryComplete(h.grpc, ask("solo", `r${round} q${i}`)));
      served.push(results.filter((r) => !(r instanceof ConnectError)).length);
      for (const r of results) if (r instanceof ConnectError) failures.add(r.message.replace(/: #1 .*/, ""));
    }
    const calls = h.sim.tally("flaky").requests;
    const opened = h.app.gateway.balancer.deployment("solo")?.breaker.timesOpened ?? 0;
    console.log(
      `sole flaky: served ${served.join(", ")} of ${PER_ROUND}; ${(calls / (ROUNDS * PER_ROUND)).toFixed(2)} calls per request; ` +
        `breaker opened ${opened} times; failures: ${[...failures].join(" | ") || "none"}`,
    );
    for (const n of served) expect(n).toBeGreaterThanOrEqual(0.99 * PER_ROUND);
    // Runs of failures did open the only deployment's breaker: the panic rule kept it serving.
    expect(opened).toBeGreaterThan(0);
    // The retry budget (half a retry per first call, 10 per window at least) bounds the calls.
    expect(calls).toBeLessThanOrEqual(1.5 * ROUNDS * PER_ROUND + 10 * ROUNDS);
  });
});

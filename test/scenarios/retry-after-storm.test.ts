/** A provider answering every call with 429 and retry-after: 1, at concurrency 32: no retry storm, RESOURCE_EXHAUSTED with the delay. */
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";
import { ask, attemptsOf, runMany, tryComplete } from "../helpers/scenario.js";

const REQUESTS = 160;
const CONCURRENCY = 32;

describe("a provider answering 429 with retry-after: 1", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      endpoints: { limited: { kind: "openai", profile: { errorRate: 1, error: "rate_limited", retryAfterS: 1 } } },
      config: { models: { m: { provider: "limited", pricing: { inputPerMTok: 1, outputPerMTok: 2 } } } },
    });
  });
  afterAll(async () => h.close());

  it("is called at most 1.2 times per client request, and every client learns the retry delay", { timeout: 120_000 }, async () => {
    const results = await runMany(REQUESTS, CONCURRENCY, (i) => tryComplete(h.grpc, ask("m", `q${i}`)));
    const calls = h.sim.tally("limited").requests;
    console.log(`429 storm: ${REQUESTS} requests, ${calls} upstream calls (${(calls / REQUESTS).toFixed(2)} per request)`);
    expect(calls / REQUESTS).toBeLessThanOrEqual(1.2);
    const errors = results.filter((r): r is ConnectError => r instanceof ConnectError);
    expect(errors).toHaveLength(REQUESTS);
    for (const e of errors) {
      expect(e.code).toBe(Code.ResourceExhausted);
      expect(e.message).toMatch(/retry after \d\.\d s/);
      // Never the same deployment twice in a request: a 429 is answered, not retried.
      expect(attemptsOf(e).length).toBeLessThanOrEqual(1);
    }
  });
});

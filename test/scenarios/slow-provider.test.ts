/** A slow provider: hedging sends the request to the next candidate and the first answer wins; without hedging the first-token timeout fails over. */
import { ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttemptOutcome, ErrorKind } from "../../gen/llmgateway/v1/types_pb.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";
import { ask, attemptSummary, collectStream, runMany, tryComplete } from "../helpers/scenario.js";

const PRICING = { inputPerMTok: 1, outputPerMTok: 2 };
const SLOW_MS = 1_500;

describe("a slow provider", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      endpoints: { slow: { kind: "openai", profile: { latencyMs: SLOW_MS } }, fast: { kind: "openai", profile: { latencyMs: 5 } } },
      config: {
        models: { mslow: { provider: "slow", pricing: PRICING }, mfast: { provider: "fast", pricing: PRICING } },
        routes: {
          hedged: { strategy: "ordered", models: ["mslow", "mfast"], hedge: { delayMs: 50 } },
          p95: { strategy: "ordered", models: ["mslow", "mfast"], hedge: { delayMs: "p95", fallbackDelayMs: 100 } },
          plain: { strategy: "ordered", models: ["mslow", "mfast"] },
        },
        failover: { firstTokenTimeoutMs: 200 },
      },
    });
  });
  afterAll(async () => h.close());

  it("hedges a unary request: the fast hedge wins, the slow attempt is aborted and listed", async () => {
    const started = performance.now();
    const r = await tryComplete(h.grpc, ask("hedged"));
    const elapsed = performance.now() - started;
    if (r instanceof ConnectError) throw r;
    expect(r.model).toBe("mfast");
    expect(attemptSummary(r.attempts)).toEqual([`mslow:${AttemptOutcome.ABORTED}`, `mfast:${AttemptOutcome.SUCCEEDED}:hedge`]);
    expect(r.attempts[0]?.errorKind).toBe(ErrorKind.CANCELLED);
    expect(elapsed).toBeLessThan(SLOW_MS); // it did not wait for the slow provider
    expect(h.app.gateway.health("mslow")).toBe("healthy"); // losing a race is not a fault
  });

  it("hedges a stream: the first to produce a token wins", async () => {
    const s = await collectStream(h.grpc, ask("hedged"));
    expect(s.error).toBeUndefined();
    expect(s.summary?.model).toBe("mfast");
    expect(s.text.length).toBeGreaterThan(0);
    expect(attemptSummary(s.summary?.attempts ?? [])).toEqual([`mslow:${AttemptOutcome.ABORTED}`, `mfast:${AttemptOutcome.SUCCEEDED}:hedge`]);
  });

  it("with a p95 delay, hedges after the fallback delay while the model has too few samples", async () => {
    // Four requests: fewer samples than the percentile needs, so the 100 ms fallback applies.
    const results = await runMany(4, 2, () => tryComplete(h.grpc, ask("p95")));
    for (const r of results) {
      if (r instanceof ConnectError) throw r;
      expect(r.model).toBe("mfast");
      expect(r.attempts[1]?.hedge).toBe(true);
    }
  });

  it("without hedging, a stream with no first token within the timeout fails over silently", async () => {
    const s = await collectStream(h.grpc, ask("plain"));
    expect(s.error).toBeUndefined();
    expect(s.summary?.model).toBe("mfast");
    expect(s.summary?.attempts[0]?.errorKind).toBe(ErrorKind.TIMEOUT);
    expect(s.summary?.attempts[0]?.reason).toContain("first token");
    expect(s.summary?.attempts[1]?.hedge).toBe(false);
  });

  it("hedging keeps a whole batch fast even though half the first picks are slow", async () => {
    const started = performance.now();
    const results = await runMany(40, 8, (i) => tryComplete(h.grpc, ask("hedged", `q${i}`)));
    expect(results.filter((r) => r instanceof ConnectError)).toHaveLength(0);
    expect(performance.now() - started).toBeLessThan(SLOW_MS * 2);
  });
});

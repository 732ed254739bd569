/**
 * Overload of a provider pool (issue 16): past its bound on calls in flight plus queued, a call is refused at once
 * with RESOURCE_EXHAUSTED (never a long queue), the failover loop moves to another provider, the first-token timer
 * starts when a request is on the wire (so queue time is never a provider timeout), and the breaker stays closed.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import { Health as ModelHealth } from "../../gen/llmgateway/v1/models_pb.js";
import { ErrorKind, Role } from "../../gen/llmgateway/v1/types_pb.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

/** A provider that streams for about 800 ms: 200 ms to the headers, then 4 pieces 150 ms apart. */
const SLOW_STREAM = { latencyMs: 200, chunkDelayMs: 150, answerWords: 4 };

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ask = (model: string) => ({ request: { model, messages: [{ role: Role.USER, content: "hi" }] } });

/** How one stream ended: "ok", or the status code and the kinds of its attempts, after `ms`. */
interface Ended {
  readonly code: Code | "ok";
  readonly ms: number;
  readonly kinds: readonly ErrorKind[];
}

async function streamOnce(harness: Harness, model: string): Promise<Ended> {
  const t0 = performance.now();
  try {
    let done = false;
    for await (const msg of harness.grpc.streamComplete(ask(model))) if (msg.event.case === "summary") done = true;
    return { code: done ? "ok" : Code.Unknown, ms: performance.now() - t0, kinds: [] };
  } catch (err) {
    const e = ConnectError.from(err);
    const kinds = e.rawMessage.includes("queue_full") ? [ErrorKind.QUEUE_FULL] : [];
    return { code: e.code, ms: performance.now() - t0, kinds };
  }
}

const count = (ends: readonly Ended[], code: Ended["code"]): number => ends.filter((e) => e.code === code).length;

describe("a provider pool past its bound", () => {
  it("serves what fits, refuses the rest at once with RESOURCE_EXHAUSTED, and keeps the breaker closed", async () => {
    h = await startHarness({
      endpoints: { slow: { kind: "openai", profile: SLOW_STREAM } },
      // 4 connections and 8 queued: 12 streams at once; the third wave waits ~1.6 s for a connection, longer
      // than the first-token timeout, which therefore must start only when a request is on the wire.
      providerExtras: { slow: { maxConnections: 4, maxQueued: 8 } },
      config: {
        models: { m1: { provider: "slow", pricing: { inputPerMTok: 1, outputPerMTok: 2 } } },
        failover: { firstTokenTimeoutMs: 1_000, maxAttempts: 3, backoffBaseMs: 1, backoffMaxMs: 2 },
        breaker: { consecutiveFailures: 3, minRequests: 5 },
      },
    });
    const harness = h;
    // A warm-up call, so that the burst measures the gateway rather than its first-call compilation.
    expect((await streamOnce(harness, "m1")).code).toBe("ok");
    const t0 = performance.now();
    const ends = await Promise.all(Array.from({ length: 300 }, () => streamOnce(harness, "m1")));
    const wallMs = performance.now() - t0;

    const ok = count(ends, "ok");
    const refused = ends.filter((e) => e.code === Code.ResourceExhausted);
    // Every stream either succeeded or was refused: none timed out waiting in the gateway's own queue.
    expect(ok + refused.length).toBe(300);
    expect(ok).toBeGreaterThanOrEqual(12);
    expect(refused.length).toBeGreaterThan(200);
    for (const r of refused) expect(r.kinds).toEqual([ErrorKind.QUEUE_FULL]);
    // Refusals are not queued: all of them ended before the last admitted stream did (which waited ~1.6 s for a
    // connection), within what 300 calls at once take on a loaded 2-core machine (~0.5 s for an unknown model).
    const slowestRefusal = Math.max(...refused.map((r) => r.ms));
    const slowestServed = Math.max(...ends.filter((e) => e.code === "ok").map((e) => e.ms));
    expect(slowestRefusal).toBeLessThan(slowestServed);
    expect(slowestRefusal).toBeLessThan(3_000);
    // The provider saw exactly the calls that were sent, and served them all.
    const tally = harness.sim.tally("slow");
    expect(tally.requests).toBe(ok + 1);
    expect(tally.succeeded).toBe(ok + 1);
    // The breaker did not open on a healthy provider: it reports healthy and takes the next call.
    const models = await harness.grpc.listModels({});
    expect(models.models.find((m) => m.name === "m1")?.health).toBe(ModelHealth.HEALTHY);
    expect((await streamOnce(harness, "m1")).code).toBe("ok");
    console.log(`pool overload: ${ok} served, ${refused.length} refused (slowest refusal ${slowestRefusal.toFixed(0)} ms), all ended in ${wallMs.toFixed(0)} ms`);
  });

  it("answers a burst of unary calls past the bound with RESOURCE_EXHAUSTED at once, never after a long queue", async () => {
    h = await startHarness({
      endpoints: { slow: { kind: "openai", profile: { latencyMs: 500 } } },
      providerExtras: { slow: { maxConnections: 2, maxQueued: 2 } },
      config: {
        models: { m1: { provider: "slow", pricing: { inputPerMTok: 1, outputPerMTok: 2 } } },
        failover: { attemptTimeoutMs: 800, maxAttempts: 3, backoffBaseMs: 1, backoffMaxMs: 2 },
      },
    });
    const harness = h;
    await harness.grpc.complete(ask("m1").request);
    const ends = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const t0 = performance.now();
        try {
          await harness.grpc.complete(ask("m1").request);
          return { code: "ok" as const, ms: performance.now() - t0 };
        } catch (err) {
          return { code: ConnectError.from(err).code, ms: performance.now() - t0 };
        }
      }),
    );
    // 2 on the wire and 2 queued: the queued pair waits ~0.5 s, within its 0.8 s attempt timeout (counted on the wire).
    expect(ends.filter((e) => e.code === "ok").length).toBeGreaterThanOrEqual(4);
    const refused = ends.filter((e) => e.code === Code.ResourceExhausted);
    expect(refused.length + ends.filter((e) => e.code === "ok").length).toBe(100);
    expect(Math.max(...refused.map((r) => r.ms))).toBeLessThan(Math.max(...ends.filter((e) => e.code === "ok").map((e) => e.ms)));
    expect(harness.sim.tally("slow").requests).toBe(1 + ends.filter((e) => e.code === "ok").length);
  });

  it("moves on to another provider when the first one's pool is full", async () => {
    h = await startHarness({
      endpoints: { a: { kind: "openai", profile: SLOW_STREAM }, b: { kind: "openai", profile: SLOW_STREAM } },
      providerExtras: { a: { maxConnections: 2, maxQueued: 0 }, b: { maxConnections: 2, maxQueued: 1 } },
      config: {
        models: {
          ma: { provider: "a", pricing: { inputPerMTok: 1, outputPerMTok: 2 }, fallbacks: ["mb"] },
          mb: { provider: "b", pricing: { inputPerMTok: 1, outputPerMTok: 2 } },
        },
        failover: { firstTokenTimeoutMs: 1_000, maxAttempts: 2, backoffBaseMs: 1, backoffMaxMs: 2 },
      },
    });
    const harness = h;
    const ends = await Promise.all(Array.from({ length: 10 }, () => streamOnce(harness, "ma")));
    // Two fit a, three more fit b (2 connections + 1 queued); the other five are refused by both pools.
    expect(count(ends, "ok")).toBe(5);
    expect(count(ends, Code.ResourceExhausted)).toBe(5);
    expect(harness.sim.tally("a").requests).toBe(2);
    expect(harness.sim.tally("b").requests).toBe(3);
  });
});

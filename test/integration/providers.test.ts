/** Through the running gateway, every provider kind gives the same answer shape, usage and error semantics. */
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttemptFailuresSchema, ErrorKind, FinishReason, Role } from "../../gen/llmgateway/v1/types_pb.js";
import type { SimError } from "../../src/sim/profile.js";
import { rejection } from "../helpers/expect-error.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

const KINDS = ["openai", "anthropic", "gemini"] as const;
const PRICING = { inputPerMTok: 3, cachedInputPerMTok: 0.3, outputPerMTok: 15 };
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    endpoints: Object.fromEntries(KINDS.map((k) => [k, { kind: k, profile: { cachedTokens: 4 } }])),
    config: {
      models: Object.fromEntries(KINDS.map((k) => [`${k}-model`, { provider: k, upstreamModel: `${k}-upstream`, pricing: PRICING }])),
      failover: { maxAttempts: 1 },
    },
  });
});
afterAll(() => h.close());

const prompt = "Explain the difference between a mutex and a semaphore."; // 55 chars -> 14 input tokens
const ask = (model: string, maxTokens?: number) => ({ model, messages: [{ role: Role.SYSTEM, content: "Be brief." }, { role: Role.USER, content: prompt }], ...(maxTokens ? { maxTokens } : {}) });
// The simulator counts every message's text joined by newlines: "Be brief.\n" + prompt = 65 chars -> 17 tokens.
const INPUT = 17n;

describe.each(KINDS)("%s through the gateway", (kind) => {
  const model = `${kind}-model`;

  it("answers unary with normalised usage and exact cost", async () => {
    const res = await h.grpc.complete(ask(model));
    expect(res.text).toBe("The gateway answers from a simulated model with exact usage and cost");
    expect(res.finishReason).toBe(FinishReason.STOP);
    expect(res.provider).toBe(kind);
    expect(res.usage?.inputTokens).toBe(INPUT);
    expect(res.usage?.cachedInputTokens).toBe(4n);
    expect(res.usage?.outputTokens).toBe(12n);
    // (17 - 4) x 3,000,000 + 4 x 300,000 + 12 x 15,000,000 pico-dollars
    expect(res.cost?.picoUnits).toBe(13n * 3_000_000n + 4n * 300_000n + 12n * 15_000_000n);
  });

  it("streams the same text and usage, ending on max_tokens", async () => {
    const deltas: string[] = [];
    let summary;
    for await (const m of h.connect.streamComplete({ request: ask(model, 4) })) {
      if (m.event.case === "delta") deltas.push(m.event.value.text);
      else if (m.event.case === "summary") summary = m.event.value;
    }
    expect(deltas.join("")).toBe("The gateway answers from");
    expect(summary?.finishReason).toBe(FinishReason.LENGTH);
    expect(summary?.usage?.inputTokens).toBe(INPUT);
    expect(summary?.usage?.outputTokens).toBe(4n);
  });

  it.each<[SimError, Code, ErrorKind]>([
    ["rate_limited", Code.ResourceExhausted, ErrorKind.RATE_LIMITED],
    ["overloaded", Code.Unavailable, ErrorKind.OVERLOADED],
    ["server_error", Code.Unavailable, ErrorKind.SERVER_ERROR],
    ["auth", Code.Unavailable, ErrorKind.AUTH],
    ["invalid_request", Code.InvalidArgument, ErrorKind.INVALID_REQUEST],
  ])("maps a provider %s to the same status and kind", async (error, code, errorKind) => {
    h.sim.setProfile(kind, { errorRate: 1, error, retryAfterS: 1 });
    try {
      const err = await rejection(h.grpc.complete(ask(model)));
      expect(err.code).toBe(code);
      expect(err.findDetails(AttemptFailuresSchema)[0]?.attempts[0]?.errorKind).toBe(errorKind);
    } finally {
      h.sim.setProfile(kind, { cachedTokens: 4 });
    }
  });
});

describe("cancellation", () => {
  it.each(KINDS)("a client that cancels a %s stream closes the upstream request", async (kind) => {
    h.sim.setProfile(kind, { chunkDelayMs: 50 });
    try {
      const before = h.sim.tally(kind).clientClosed;
      const abort = new AbortController();
      const stream = h.grpc.streamComplete({ request: ask(`${kind}-model`) }, { signal: abort.signal });
      const it = stream[Symbol.asyncIterator]();
      expect((await it.next()).value?.event.case).toBe("delta");
      abort.abort();
      await it.next().catch(() => undefined);
      await expect.poll(() => h.sim.tally(kind).clientClosed, { timeout: 2000 }).toBe(before + 1);
    } finally {
      h.sim.setProfile(kind, { cachedTokens: 4 });
    }
  });
});

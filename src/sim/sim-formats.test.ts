/** The simulator's wire formats against the real adapters over real HTTP: both sides must agree. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderConfig } from "../config/schema.js";
import { Secret } from "../config/secret.js";
import { anthropicWire } from "../providers/anthropic/wire.js";
import { ProviderError } from "../providers/errors.js";
import { geminiWire } from "../providers/gemini/wire.js";
import { HttpProvider } from "../providers/http-provider.js";
import { openAiWire } from "../providers/openai/wire.js";
import type { StreamEvent, UpstreamCall, Usage } from "../providers/types.js";
import type { WireFormat } from "../providers/wire.js";
import type { SimKind } from "./formats/index.js";
import type { SimError, SimProfile } from "./profile.js";
import { startSimulator } from "./server.js";
import type { Simulator } from "./server.js";

const KINDS: readonly SimKind[] = ["openai", "anthropic", "gemini"];
const WIRES: Record<SimKind, () => WireFormat> = { openai: () => openAiWire({ now: Date.now }), anthropic: () => anthropicWire({ now: Date.now }), gemini: () => geminiWire({ now: Date.now }) };
const MODELS: Record<SimKind, string> = { openai: "gpt-4.1", anthropic: "claude-sonnet-4-5", gemini: "gemini-2.5-flash" };
const ERRORS: readonly SimError[] = [
  "rate_limited",
  "quota_exhausted",
  "overloaded",
  "server_error",
  "auth",
  "invalid_request",
  "context_too_long",
  "content_filtered",
];
const HEALTHY: SimProfile = { cachedTokens: 3, answerWords: 5 };

let sim: Simulator;
const providers: HttpProvider[] = [];

beforeAll(async () => {
  sim = await startSimulator(Object.fromEntries(KINDS.map((k) => [k, { kind: k, profile: HEALTHY }])));
});

afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()));
  await sim.close();
});

function provider(kind: SimKind): HttpProvider {
  const config: ProviderConfig = {
    name: kind,
    kind,
    baseUrl: sim.baseUrl(kind),
    apiKey: new Secret("k"),
    timeouts: { connectMs: 5_000, firstByteMs: 10_000, idleMs: 10_000, totalMs: 20_000 },
    maxConnections: 4,
  };
  const p = new HttpProvider(config, WIRES[kind]());
  providers.push(p);
  return p;
}

function upstream(kind: SimKind, maxTokens?: number): UpstreamCall {
  return {
    upstreamModel: MODELS[kind],
    defaultMaxTokens: 100,
    request: {
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Say something about gateways, please." },
      ],
      params: maxTokens !== undefined ? { maxTokens } : {},
    },
  };
}

const options = (): { signal: AbortSignal } => ({ signal: new AbortController().signal });

async function collect(p: HttpProvider, call: UpstreamCall): Promise<{ events: StreamEvent[]; error?: ProviderError }> {
  const events: StreamEvent[] = [];
  try {
    for await (const e of p.stream(call, options())) events.push(e);
    return { events };
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    return { events, error: err };
  }
}

function text(events: readonly StreamEvent[]): string {
  return events.map((e) => (e.type === "delta" ? e.text : "")).join("");
}

function lastUsage(events: readonly StreamEvent[]): Usage | undefined {
  const usage = events.filter((e) => e.type === "usage").at(-1);
  return usage?.type === "usage" ? usage.usage : undefined;
}

/** The usage each adapter should report for `output` tokens, normalised, given what the simulator billed. */
function expectedUsage(kind: SimKind, inputTokens: number, output: number): Usage {
  const base: Usage = { inputTokens, outputTokens: output, cachedInputTokens: 3 };
  if (kind === "openai") return { ...base, reasoningTokens: 0 };
  if (kind === "anthropic") return { ...base, cacheWriteTokens: 0 };
  return base;
}

/** The input tokens the simulator billed for the last request of an endpoint. */
function billedInput(kind: SimKind, before: number): number {
  return sim.tally(kind).inputTokens - before;
}

describe.each(KINDS)("simulated %s through its adapter", (kind) => {
  it("answers a unary call with the text and the normalised usage, cached tokens included in input", async () => {
    const p = provider(kind);
    const before = sim.tally(kind).inputTokens;
    const r = await p.complete(upstream(kind), options());
    const input = billedInput(kind, before);
    expect(input).toBeGreaterThan(3);
    expect(r).toEqual({ text: "The gateway answers from a", finishReason: "stop", responseModel: MODELS[kind], usage: expectedUsage(kind, input, 5) });
  });

  it("streams the same text, usage and finish", async () => {
    const p = provider(kind);
    const before = sim.tally(kind).inputTokens;
    const r = await collect(p, upstream(kind));
    expect(r.error).toBeUndefined();
    expect(text(r.events)).toBe("The gateway answers from a");
    expect(lastUsage(r.events)).toEqual(expectedUsage(kind, billedInput(kind, before), 5));
    expect(r.events.at(-1)).toEqual({ type: "finish", reason: "stop", responseModel: MODELS[kind] });
  });

  it("stops at max tokens with finish reason length, unary and streamed", async () => {
    const p = provider(kind);
    const unary = await p.complete(upstream(kind, 3), options());
    expect(unary).toMatchObject({ text: "The gateway answers", finishReason: "length", usage: { outputTokens: 3 } });
    const streamed = await collect(p, upstream(kind, 3));
    expect(text(streamed.events)).toBe("The gateway answers");
    expect(lastUsage(streamed.events)?.outputTokens).toBe(3);
    expect(streamed.events.at(-1)).toMatchObject({ type: "finish", reason: "length" });
  });

  it.each(ERRORS)("classifies the simulated %s error the same, unary and streamed", async (error) => {
    sim.setProfile(kind, { ...HEALTHY, errorRate: 1, error, retryAfterS: 2 });
    try {
      const p = provider(kind);
      const unary = await p.complete(upstream(kind), options()).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(unary).toBeInstanceOf(ProviderError);
      expect(unary).toMatchObject({ kind: error });
      const streamed = await collect(p, upstream(kind));
      expect(streamed.events).toEqual([]);
      expect(streamed.error).toMatchObject({ kind: error });
      if (error === "rate_limited") expect(streamed.error?.retryAfterMs).toBe(2000);
    } finally {
      sim.setProfile(kind, HEALTHY);
    }
  });

  it("reports a dropped stream as a network error after the usage events sent before the cut", async () => {
    const input = (await provider(kind).complete(upstream(kind), options())).usage.inputTokens;
    const before = sim.tally(kind);
    const r = await dropped(kind, 2);
    // The simulator cuts the socket right after a write, so the last chunk written may not arrive.
    const received = r.events.filter((e) => e.type === "delta").length;
    expect(received).toBeGreaterThanOrEqual(1);
    expect(received).toBeLessThanOrEqual(2);
    expect("The gateway answers from a".startsWith(text(r.events))).toBe(true);
    expect(r.events.some((e) => e.type === "finish")).toBe(false);
    expect(r.error).toMatchObject({ kind: "network" });
    expect(sim.tally(kind)).toMatchObject({ dropped: before.dropped + 1, outputTokens: before.outputTokens });
    const partial: Record<SimKind, Usage | undefined> = {
      openai: undefined, // usage comes only in the last chunk
      anthropic: { inputTokens: input, cachedInputTokens: 3, cacheWriteTokens: 0 },
      gemini: { inputTokens: input, outputTokens: received, cachedInputTokens: 3 },
    };
    expect(lastUsage(r.events)).toEqual(partial[kind]);
  });
});

/** Streams from an endpoint that cuts the connection after `after` chunks. */
async function dropped(kind: SimKind, after: number): Promise<{ events: StreamEvent[]; error?: ProviderError }> {
  sim.setProfile(kind, { ...HEALTHY, dropRate: 1, dropAfterChunks: after, chunkDelayMs: 20 });
  try {
    return await collect(provider(kind), upstream(kind));
  } finally {
    sim.setProfile(kind, HEALTHY);
  }
}

// A socket reset mid-body is a transport error (UND_ERR_SOCKET); the HTTP layer must still attach the
// partial usage the decoder saw, or the tokens that flowed would go unbilled.
describe.each(["anthropic", "gemini"] as const)("dropped %s stream, the error itself", (kind) => {
  it("carries the partial usage the events reported", async () => {
    const r = await dropped(kind, 2);
    expect(r.error).toMatchObject({ kind: "network" });
    expect(lastUsage(r.events)).toBeDefined();
    expect(r.error?.usage).toEqual(lastUsage(r.events));
  });
});

/** The simulated Anthropic API against the real adapter over HTTP: tool loops, JSON, images, thinking round trips. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "../../config/secret.js";
import type { ProviderAdapter } from "../../providers/adapter.js";
import { ProviderError } from "../../providers/errors.js";
import { createAdapter } from "../../providers/registry.js";
import type { ChatMessage, ChatRequest, ChatResult, ReasoningBlock, StreamEvent, ToolCall, ToolSpec } from "../../providers/types.js";
import { startSimulator } from "../server.js";
import type { Simulator } from "../server.js";
import { anthropicRejection, simSignature } from "./anthropic-validate.js";

let sim: Simulator;
let adapter: ProviderAdapter;

beforeAll(async () => {
  sim = await startSimulator({ a: { kind: "anthropic", profile: { answerWords: 4, toolCalls: 2 } } });
  adapter = createAdapter(
    { name: "a", kind: "anthropic", baseUrl: sim.baseUrl("a"), apiKey: new Secret("k"), timeouts: { connectMs: 5000, firstByteMs: 5000, idleMs: 5000, totalMs: 10000 }, maxConnections: 4 },
    Date.now,
  );
});

afterAll(async () => {
  await adapter.close();
  await sim.close();
});

const weather: ToolSpec = { name: "get_weather", description: "Weather of a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };
const clock: ToolSpec = { name: "get_time" };
const ask: ChatMessage = { role: "user", content: "Weather and time in Paris?" };
const signal = (): { signal: AbortSignal } => ({ signal: new AbortController().signal });

/** Calls the adapter unary or streamed; a stream is folded into the same result shape. */
async function call(request: ChatRequest, stream: boolean): Promise<ChatResult> {
  expect(adapter.check({ request, upstreamModel: "m", defaultMaxTokens: 4096 })).toBeUndefined();
  const upstream = { request, upstreamModel: "claude-sonnet-4-5", defaultMaxTokens: 4096 };
  if (!stream) return adapter.complete(upstream, signal());
  const events: StreamEvent[] = [];
  for await (const e of adapter.stream(upstream, signal())) events.push(e);
  return fold(events);
}

/** A stream's events as a unary result: text, calls joined by index, reasoning blocks, last usage and finish. */
function fold(events: readonly StreamEvent[]): ChatResult {
  let text = "";
  const calls: Array<{ id: string; name: string; arguments: string }> = [];
  const reasoning: ReasoningBlock[] = [];
  let result: ChatResult = { text: "", finishReason: "unspecified", usage: {} };
  for (const e of events) {
    if (e.type === "delta") text += e.text;
    else if (e.type === "tool_call") {
      const c = (calls[e.delta.index] ??= { id: "", name: "", arguments: "" });
      if (e.delta.id !== undefined) c.id = e.delta.id;
      if (e.delta.name !== undefined) c.name = e.delta.name;
      c.arguments += e.delta.arguments;
    } else if (e.type === "reasoning_block") reasoning.push(e.block);
    else if (e.type === "usage") result = { ...result, usage: e.usage };
    else if (e.type === "finish") result = { ...result, finishReason: e.reason };
  }
  return { ...result, text, ...(calls.length > 0 ? { toolCalls: calls } : {}), ...(reasoning.length > 0 ? { reasoning } : {}) };
}

/** The conversation after a tool-calling answer: its assistant turn and one result per call. */
function answered(before: readonly ChatMessage[], r: ChatResult, results: (c: ToolCall) => string = (c) => `result of ${c.name}`): ChatMessage[] {
  const calls = r.toolCalls ?? [];
  const turn: ChatMessage = { role: "assistant", content: r.text, toolCalls: calls, ...(r.reasoning ? { reasoning: r.reasoning } : {}) };
  return [...before, turn, ...calls.map((c): ChatMessage => ({ role: "tool", toolCallId: c.id, content: results(c) }))];
}

/** The error a call fails with. */
async function failure(request: ChatRequest, stream: boolean): Promise<ProviderError> {
  const upstream = { request, upstreamModel: "claude-sonnet-4-5", defaultMaxTokens: 4096 };
  try {
    if (stream) for await (const e of adapter.stream(upstream, signal())) void e;
    else await adapter.complete(upstream, signal());
  } catch (err) {
    if (err instanceof ProviderError) return err;
    throw err;
  }
  throw new Error("the call succeeded");
}

describe.each([false, true])("simulated anthropic through its adapter (stream %s)", (stream) => {
  it("runs an agent loop: parallel calls, their results, then a text answer", async () => {
    const request: ChatRequest = { messages: [ask], params: {}, tools: [weather, clock] };
    const first = await call(request, stream);
    expect(first.finishReason).toBe("tool_calls");
    expect(first.toolCalls).toEqual([
      { id: expect.stringMatching(/^call_\d+_0$/), name: "get_weather", arguments: '{"city":"Paris"}' },
      { id: expect.stringMatching(/^call_\d+_1$/), name: "get_time", arguments: "{}" },
    ]);
    expect(first.usage.outputTokens).toBeGreaterThan(0);
    const second = await call({ ...request, messages: answered(request.messages, first) }, stream);
    expect(second).toMatchObject({ text: "The gateway answers from", finishReason: "stop" });
    expect(second.toolCalls).toBeUndefined();
  });

  it("makes one call when parallel calls are off, and none with tool choice none", async () => {
    const one = await call({ messages: [ask], params: {}, tools: [weather, clock], parallelToolCalls: false }, stream);
    expect(one.toolCalls?.map((c) => c.name)).toEqual(["get_weather"]);
    const named = await call({ messages: [ask], params: {}, tools: [weather, clock], toolChoice: { mode: "tool", name: "get_time" } }, stream);
    expect(named.toolCalls?.map((c) => c.name)).toEqual(["get_time"]);
    const none = await call({ messages: [ask], params: {}, tools: [weather, clock], toolChoice: { mode: "none" } }, stream);
    expect(none).toMatchObject({ text: "The gateway answers from", finishReason: "stop" });
  });

  it("is refused like the real API when a result is missing or names no call", async () => {
    const request: ChatRequest = { messages: [ask], params: {}, tools: [weather, clock] };
    const first = await call(request, false);
    const all = answered(request.messages, first);
    const missing = await failure({ ...request, messages: all.slice(0, -1) }, stream);
    expect(missing).toMatchObject({ kind: "invalid_request" });
    expect(missing.cause).toContain("tool_use` ids were found without `tool_result` blocks immediately after");
    const stray: ChatMessage[] = [...all, { role: "tool", toolCallId: "toolu_other", content: "x" }];
    expect((await failure({ ...request, messages: stray }, stream)).cause).toContain("unexpected `tool_use_id`");
  });

  it("answers JSON matching a schema whose bounds Anthropic rejects (converted, not dropped)", async () => {
    const schema = { type: "object", properties: { city: { type: "string", maxLength: 30 }, days: { type: "integer", maximum: 10 } }, required: ["city", "days"] };
    const r = await call({ messages: [ask], params: {}, responseFormat: { type: "json_schema", name: "w", schema, strict: true, skipValidation: false } }, stream);
    expect(JSON.parse(r.text)).toEqual({ city: "Paris", days: 1 });
    const any = await call({ messages: [ask], params: {}, responseFormat: { type: "json_object" } }, stream);
    expect(JSON.parse(any.text)).toBeTypeOf("object");
  });

  it("takes images and bills them as input", async () => {
    const plain = await call({ messages: [ask], params: {} }, stream);
    const parts: ChatMessage["parts"] = [
      { type: "text", text: ask.content },
      { type: "image", image: { kind: "base64", data: "iVBORw0KGgo=", mediaType: "image/png" } },
      { type: "image", image: { kind: "url", url: "https://example.com/cat.gif" } },
    ];
    const withImages = await call({ messages: [{ ...ask, parts }], params: {} }, stream);
    expect(withImages.text).toBe(plain.text);
    expect((withImages.usage.inputTokens ?? 0) - (plain.usage.inputTokens ?? 0)).toBe(170);
  });

  it("round-trips thinking: the blocks of turn 1 go back in turn 2 and the strict sim accepts them", async () => {
    const request: ChatRequest = { messages: [ask], params: { maxTokens: 2048 }, tools: [weather], reasoning: { effort: "low" } };
    const first = await call(request, stream);
    const thought = "Let me think this through.";
    expect(first.reasoning).toEqual([{ format: "anthropic", text: thought, signature: simSignature(thought) }]);
    expect(first).toMatchObject({ finishReason: "tool_calls", usage: { reasoningTokens: 6 } });
    const second = await call({ ...request, messages: answered(request.messages, first) }, stream);
    expect(second).toMatchObject({ text: "The gateway answers from", finishReason: "stop" });
    const lost = { ...request, messages: answered(request.messages, { ...first, reasoning: [] }) };
    expect(adapter.check({ request: lost, upstreamModel: "m", defaultMaxTokens: 4096 })).toMatchObject({ field: "messages[1].reasoning" });
    expect((await failure(lost, stream)).cause).toContain("Expected `thinking` or `redacted_thinking`");
    const edited = answered(request.messages, { ...first, reasoning: [{ format: "anthropic", text: "edited", signature: simSignature(thought) }] });
    expect((await failure({ ...request, messages: edited }, stream)).cause).toContain("Invalid `signature`");
  });
});

describe("anthropicRejection (the simulator's strict checks)", () => {
  const base = { model: "m", max_tokens: 2000, messages: [{ role: "user", content: "Hi" }] };
  const tools = [{ name: "f", input_schema: { type: "object" } }];

  it("accepts a plain request and refuses what the real API refuses", () => {
    expect(anthropicRejection(base)).toBeUndefined();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, max_tokens: undefined }, "max_tokens: Field required"],
      [{ ...base, thinking: { type: "enabled", budget_tokens: 512 } }, "greater than or equal to 1024"],
      [{ ...base, thinking: { type: "enabled", budget_tokens: 2000 } }, "`max_tokens` must be greater"],
      [{ ...base, thinking: { type: "enabled", budget_tokens: 1024 }, temperature: 0.5 }, "`temperature` may only be set to 1"],
      [{ ...base, tools, thinking: { type: "enabled", budget_tokens: 1024 }, tool_choice: { type: "any" } }, "forces tool use"],
      [{ ...base, tool_choice: { type: "auto" } }, "only be specified while providing tools"],
      [{ ...base, tools: [{ name: "a.b", input_schema: { type: "object" } }] }, "tools.0.custom.name"],
      [{ ...base, output_config: { format: { type: "json_schema", schema: { type: "object", properties: {} } } } }, "'additionalProperties' must be explicitly set to false"],
      [{ ...base, output_config: { format: { type: "json_schema", schema: { type: "object", additionalProperties: false, properties: { n: { type: "integer", minimum: 1 } } } } } }, "For 'integer' type, property 'minimum' is not supported"],
      [{ ...base, messages: [{ role: "user", content: " " }] }, "non-whitespace text"],
      [{ ...base, messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/bmp", data: "AA" } }] }] }, "media_type"],
    ];
    for (const [body, message] of cases) expect(anthropicRejection(body), message).toContain(message);
  });

  it("refuses tool_use without tools, bad ids, and results placed after text", () => {
    const use = { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "f", input: {} }] };
    const result = { type: "tool_result", tool_use_id: "t1", content: "ok" };
    expect(anthropicRejection({ ...base, messages: [base.messages[0], use, { role: "user", content: [result] }] })).toContain("must define tools");
    expect(anthropicRejection({ ...base, tools, messages: [base.messages[0], use, { role: "user", content: [result] }] })).toBeUndefined();
    const textFirst = { role: "user", content: [{ type: "text", text: "also" }, result] };
    expect(anthropicRejection({ ...base, tools, messages: [base.messages[0], use, textFirst] })).toContain("tool_result blocks must come first");
    const badId = { role: "assistant", content: [{ type: "tool_use", id: "t.1", name: "f", input: {} }] };
    expect(anthropicRejection({ ...base, tools, messages: [base.messages[0], badId] })).toContain("String should match pattern");
  });
});

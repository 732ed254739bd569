/** The OpenAI adapter against the strict simulated OpenAI over real HTTP: agent loops, JSON, images, reasoning. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderConfig } from "../../config/schema.js";
import { Secret } from "../../config/secret.js";
import { startSimulator } from "../../sim/server.js";
import type { Simulator } from "../../sim/server.js";
import type { ProviderAdapter } from "../adapter.js";
import { ProviderError } from "../errors.js";
import { createAdapter } from "../registry.js";
import type { ChatMessage, ChatRequest, ReasoningBlock, StreamEvent, ToolCall, ToolSpec } from "../types.js";

let sim: Simulator;
let adapter: ProviderAdapter;

beforeAll(async () => {
  sim = await startSimulator({ oai: { kind: "openai", profile: { answerWords: 4, toolCalls: 2 } } });
  const config: ProviderConfig = {
    name: "oai",
    kind: "openai",
    baseUrl: sim.baseUrl("oai"),
    apiKey: new Secret("sk-test"),
    timeouts: { connectMs: 5_000, firstByteMs: 5_000, idleMs: 5_000, totalMs: 10_000 },
    maxConnections: 2,
  };
  adapter = createAdapter(config, Date.now);
});
afterAll(async () => {
  await adapter.close();
  await sim.close();
});

const options = { signal: new AbortController().signal };
const tools: ToolSpec[] = [
  { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" }, unit: { type: "string" } }, required: ["city"] }, strict: true },
  { name: "get_time" },
];
const ask: ChatMessage = { role: "user", content: "Weather and time in Paris?" };

const complete = (request: ChatRequest) => adapter.complete({ upstreamModel: "gpt-4.1", defaultMaxTokens: 100, request }, options);

async function stream(request: ChatRequest): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const e of adapter.stream({ upstreamModel: "gpt-4.1", defaultMaxTokens: 100, request }, options)) events.push(e);
  return events;
}

/** The calls and reasoning blocks a stream carried, assembled from its deltas. */
function assemble(events: readonly StreamEvent[]): { calls: ToolCall[]; reasoning: ReasoningBlock[]; text: string } {
  const calls: Array<{ id: string; name: string; arguments: string }> = [];
  const reasoning: ReasoningBlock[] = [];
  let text = "";
  for (const e of events) {
    if (e.type === "tool_call") {
      const c = (calls[e.delta.index] ??= { id: "", name: "", arguments: "" });
      c.id = e.delta.id ?? c.id;
      c.name = e.delta.name ?? c.name;
      c.arguments += e.delta.arguments;
    } else if (e.type === "reasoning_block") reasoning.push(e.block);
    else if (e.type === "delta") text += e.text;
  }
  return { calls, reasoning, text };
}

/** Turn 2: the assistant's calls (and reasoning) and one result per call, the second an error. */
function followUp(calls: readonly ToolCall[], reasoning?: readonly ReasoningBlock[]): ChatMessage[] {
  return [
    ask,
    { role: "assistant", content: "", toolCalls: calls, ...(reasoning ? { reasoning } : {}) },
    ...calls.map((c, i): ChatMessage => ({ role: "tool", toolCallId: c.id, content: i === 0 ? "18C" : "no clock", ...(i === 1 ? { isError: true } : {}) })),
  ];
}

describe("OpenAI adapter <-> simulated OpenAI", () => {
  it("runs an agent loop unary: parallel tool calls, then results, then a text answer", async () => {
    const first = await complete({ messages: [ask], params: {}, tools });
    expect(first.finishReason).toBe("tool_calls");
    expect(first.toolCalls?.map((c) => [c.name, JSON.parse(c.arguments) as unknown])).toEqual([
      ["get_weather", { city: "Paris", unit: "Paris" }],
      ["get_time", {}],
    ]);
    const second = await complete({ messages: followUp(first.toolCalls ?? []), params: {}, tools });
    expect(second).toMatchObject({ text: "The gateway answers from", finishReason: "stop" });
    expect(second.toolCalls).toBeUndefined();
  });

  it("runs the same loop streamed, one call when parallel calls are off", async () => {
    const events = await stream({ messages: [ask], params: {}, tools, parallelToolCalls: false, toolChoice: { mode: "tool", name: "get_time" } });
    const { calls } = assemble(events);
    expect(calls).toEqual([{ id: expect.stringMatching(/^call_/) as unknown, name: "get_time", arguments: "{}" }]);
    expect(events.at(-1)).toMatchObject({ type: "finish", reason: "tool_calls" });
    const next = await stream({ messages: followUp(calls), params: {}, tools });
    expect(assemble(next).text).toBe("The gateway answers from");
    expect(next.at(-1)).toMatchObject({ type: "finish", reason: "stop" });
  });

  it("answers JSON matching a strict response schema", async () => {
    const schema = { type: "object", properties: { city: { type: "string" }, temp: { type: "number" } }, required: ["city"] };
    const r = await complete({ messages: [ask], params: {}, responseFormat: { type: "json_schema", name: "w", schema, strict: true, skipValidation: false } });
    expect(JSON.parse(r.text)).toEqual({ city: "Paris", temp: 1.5 });
    const streamed = assemble(await stream({ messages: [ask], params: {}, responseFormat: { type: "json_object" } }));
    expect(JSON.parse(streamed.text)).toEqual({ answer: expect.any(String) as unknown });
  });

  it("sends an image and reads its image tokens", async () => {
    const messages: ChatMessage[] = [
      { role: "user", content: "What is it?", parts: [{ type: "text", text: "What is it?" }, { type: "image", image: { kind: "base64", data: "iVBORw0KGgo=", mediaType: "image/png" } }] },
    ];
    const r = await complete({ messages, params: {} });
    expect(r.usage.imageInputTokens).toBe(85);
    expect(adapter.check({ request: { messages: [{ ...messages[0]!, parts: [{ type: "image", image: { kind: "base64", data: "AA", mediaType: "image/tiff" } }] }], params: {} }, upstreamModel: "m", defaultMaxTokens: 256 })).toMatchObject({
      field: "messages[0].parts[0].image.media_type",
    });
  });

  it("round-trips reasoning: the blocks of turn 1 go back in turn 2, and the strict sim refuses turn 2 without them", async () => {
    const request = (messages: ChatMessage[]): ChatRequest => ({ messages, params: {}, tools, reasoning: { effort: "high" } });
    const first = await complete(request([ask]));
    expect(first.reasoning).toEqual([{ format: "openai", text: "Let me think this through." }]);
    expect(first.usage.reasoningTokens).toBe(6);
    const ok = await complete(request(followUp(first.toolCalls ?? [], first.reasoning)));
    expect(ok.finishReason).toBe("stop");
    const refused = await complete(request(followUp(first.toolCalls ?? []))).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProviderError);
    expect(refused).toMatchObject({ kind: "invalid_request" });

    const events = await stream(request([ask]));
    const streamed = assemble(events);
    expect(events.filter((e) => e.type === "reasoning").map((e) => (e.type === "reasoning" ? e.text : "")).join("")).toBe("Let me think this through.");
    expect(streamed.reasoning).toEqual([{ format: "openai", text: "Let me think this through." }]);
    const after = await stream(request(followUp(streamed.calls, streamed.reasoning)));
    expect(after.at(-1)).toMatchObject({ type: "finish", reason: "stop" });
  });
});

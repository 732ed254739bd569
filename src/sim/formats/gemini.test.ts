/** The simulated Gemini against the real Gemini adapter over HTTP: tool loops, JSON, images, thinking round trips. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderConfig } from "../../config/schema.js";
import { Secret } from "../../config/secret.js";
import type { ProviderAdapter } from "../../providers/adapter.js";
import { ProviderError } from "../../providers/errors.js";
import { createAdapter } from "../../providers/registry.js";
import type { ChatMessage, ChatRequest, ChatResult, ReasoningBlock, StreamEvent, ToolCall, ToolSpec } from "../../providers/types.js";
import { startSimulator } from "../server.js";
import type { Simulator } from "../server.js";
import { geminiRejection } from "./gemini-validate.js";

let sim: Simulator;
let adapter: ProviderAdapter;

beforeAll(async () => {
  sim = await startSimulator({ g: { kind: "gemini", profile: { answerWords: 4, toolCalls: 2 } } });
  const config: ProviderConfig = {
    name: "g",
    kind: "gemini",
    baseUrl: sim.baseUrl("g"),
    apiKey: new Secret("k"),
    timeouts: { connectMs: 5_000, firstByteMs: 10_000, idleMs: 10_000, totalMs: 20_000 },
    maxConnections: 4,
  };
  adapter = createAdapter(config, Date.now);
});

afterAll(async () => {
  await adapter.close();
  await sim.close();
});

const options = (): { signal: AbortSignal } => ({ signal: new AbortController().signal });
const complete = (request: ChatRequest): Promise<ChatResult> => adapter.complete({ upstreamModel: "gemini-3-flash", defaultMaxTokens: 100, request }, options());

/** A streamed answer folded into the shape of a unary one (calls joined by index, reasoning blocks collected). */
async function stream(request: ChatRequest): Promise<ChatResult> {
  const events: StreamEvent[] = [];
  for await (const e of adapter.stream({ upstreamModel: "gemini-3-flash", defaultMaxTokens: 100, request }, options())) events.push(e);
  const calls: Array<{ id: string; name: string; arguments: string; signature?: string }> = [];
  const reasoning: ReasoningBlock[] = [];
  let text = "";
  let finish: ChatResult["finishReason"] = "unspecified";
  let usage = {};
  for (const e of events) {
    if (e.type === "delta") text += e.text;
    if (e.type === "reasoning_block") reasoning.push(e.block);
    if (e.type === "usage") usage = e.usage;
    if (e.type === "finish") finish = e.reason;
    if (e.type === "tool_call") {
      const c = (calls[e.delta.index] ??= { id: e.delta.id ?? "", name: e.delta.name ?? "", arguments: "" });
      c.arguments += e.delta.arguments;
      if (e.delta.signature !== undefined) c.signature = e.delta.signature;
    }
  }
  return { text, finishReason: finish, usage, ...(calls.length > 0 ? { toolCalls: calls } : {}), ...(reasoning.length > 0 ? { reasoning } : {}) };
}

const TOOLS: ToolSpec[] = [
  { name: "get_weather", description: "Weather of a city", strict: true, parameters: { type: "object", properties: { city: { type: "string", pattern: "^[A-Z]" } }, required: ["city"], additionalProperties: false } },
  { name: "get_time", parameters: { type: "object", properties: { zone: { const: "UTC" } } } },
];
const ASK: ChatMessage[] = [
  { role: "system", content: "Use tools." },
  { role: "user", content: "Weather and time in Paris?" },
];

/** The conversation after a tool-calling turn: the turn itself, then one result per call. */
function withResults(turn: ChatResult): ChatMessage[] {
  const calls: readonly ToolCall[] = turn.toolCalls ?? [];
  return [
    ...ASK,
    { role: "assistant", content: turn.text, toolCalls: calls, ...(turn.reasoning ? { reasoning: turn.reasoning } : {}) },
    ...calls.map((c, i): ChatMessage => ({ role: "tool", toolCallId: c.id, content: `result ${i}`, ...(i === 1 ? { isError: true } : {}) })),
  ];
}

describe.each([
  ["unary", complete],
  ["streamed", stream],
] as const)("simulated Gemini agent loop, %s", (_, run) => {
  it("calls the tools in parallel, then answers in text after the results", async () => {
    const first = await run({ messages: ASK, params: {}, tools: TOOLS });
    expect(first.finishReason).toBe("tool_calls");
    expect(first.toolCalls?.map((c) => [c.name, JSON.parse(c.arguments) as unknown])).toEqual([
      ["get_weather", { city: "Paris" }],
      ["get_time", { zone: "UTC" }],
    ]);
    expect(new Set(first.toolCalls?.map((c) => c.id)).size).toBe(2);
    const second = await run({ messages: withResults(first), params: {}, tools: TOOLS });
    expect(second).toMatchObject({ text: "The gateway answers from", finishReason: "stop" });
    expect(second.toolCalls).toBeUndefined();
  });

  it("round-trips thought signatures while thinking: the strict sim takes turn 2", async () => {
    const first = await run({ messages: ASK, params: {}, tools: TOOLS, toolChoice: { mode: "tool", name: "get_time" }, reasoning: { effort: "low" } });
    expect(first.toolCalls).toHaveLength(1);
    expect(first.toolCalls?.[0]).toMatchObject({ name: "get_time", signature: expect.any(String) as unknown });
    expect(first.usage).toMatchObject({ reasoningTokens: 6 });
    const second = await run({ messages: withResults(first), params: {}, tools: TOOLS, reasoning: { effort: "low" } });
    expect(second.finishReason).toBe("stop");
    // The text answer's signature comes on its last text part and goes back in turn 3.
    expect(second.reasoning).toContainEqual({ format: "gemini", signature: expect.any(String) as unknown });
    const third = await run({
      messages: [...withResults(first), { role: "assistant", content: second.text, ...(second.reasoning ? { reasoning: second.reasoning } : {}) }, { role: "user", content: "And tomorrow?" }],
      params: {},
      tools: TOOLS,
      toolChoice: { mode: "none" },
      reasoning: { budgetTokens: 2000 },
    });
    expect(third.finishReason).toBe("stop");
  });

  it("answers JSON matching the schema, and counts image tokens", async () => {
    const schema = { type: "object", properties: { city: { type: "string" }, n: { oneOf: [{ type: "integer" }, { type: "null" }] } }, required: ["city", "n"], additionalProperties: false };
    const json = await run({ messages: ASK, params: {}, responseFormat: { type: "json_schema", name: "r", schema, strict: true, skipValidation: false } });
    expect(JSON.parse(json.text)).toEqual({ city: "Paris", n: 1 });
    const image = await run({
      messages: [{ role: "user", content: "What is it?", parts: [{ type: "text", text: "What is it?" }, { type: "image", image: { kind: "base64", data: "iVBORw0KGgo=", mediaType: "image/png" } }] }],
      params: {},
    });
    expect(image.usage).toMatchObject({ imageInputTokens: 85 });
  });
});

describe("simulated Gemini writes what the real API writes", () => {
  it("streams thought parts, then each call whole in one part, the signature on the first, STOP and thoughtsTokenCount", async () => {
    const body = {
      contents: [{ role: "user", parts: [{ text: "Weather?" }] }],
      tools: [{ functionDeclarations: [{ name: "a", parametersJsonSchema: { type: "object", properties: { city: { type: "string" } } } }, { name: "b" }] }],
      generationConfig: { thinkingConfig: { thinkingBudget: 512, includeThoughts: true } },
    };
    const res = await fetch(`${sim.baseUrl("g")}/v1beta/models/gemini-3-flash:streamGenerateContent?alt=sse`, { method: "POST", body: JSON.stringify(body) });
    const chunks = (await res.text()).split("\n\n").filter((c) => c.startsWith("data: ")).map((c) => JSON.parse(c.slice(6)) as { candidates: Array<{ content: { parts: unknown[] }; finishReason?: string }>; usageMetadata: Record<string, unknown> });
    const parts = chunks.flatMap((c) => c.candidates[0]?.content.parts ?? []);
    expect(parts.filter((p) => (p as { thought?: boolean }).thought === true)).toHaveLength(6);
    const calls = parts.filter((p) => (p as { functionCall?: unknown }).functionCall !== undefined);
    expect(calls).toEqual([
      { functionCall: { id: expect.any(String) as unknown, name: "a", args: { city: "Paris" } }, thoughtSignature: expect.any(String) as unknown },
      { functionCall: { id: expect.any(String) as unknown, name: "b", args: {} } },
    ]);
    expect(chunks.at(-1)?.candidates[0]?.finishReason).toBe("STOP");
    expect(chunks.at(-1)?.usageMetadata).toMatchObject({ thoughtsTokenCount: 6 });
    expect(chunks.slice(0, -1).every((c) => c.candidates[0]?.finishReason === undefined)).toBe(true);
  });
});

describe("simulated Gemini refuses what the real API refuses", () => {
  const user = { role: "user", parts: [{ text: "hi" }] };
  const thinking = { generationConfig: { thinkingConfig: { thinkingBudget: 1024, includeThoughts: true } } };
  const call = (extra: object = {}): object => ({ role: "model", parts: [{ functionCall: { id: "c1", name: "f", args: {} }, ...extra }] });
  const result = (fr: object): object => ({ role: "user", parts: [{ functionResponse: fr }] });

  it.each([
    ["additionalProperties under parameters", { contents: [user], tools: [{ functionDeclarations: [{ name: "f", parameters: { type: "object", additionalProperties: false } }] }] }, 'Unknown name "additionalProperties"'],
    ["a type list under parameters", { contents: [user], tools: [{ functionDeclarations: [{ name: "f", parameters: { type: ["string", "null"] } }] }] }, "Proto field is not repeating"],
    ["const under parametersJsonSchema", { contents: [user], tools: [{ functionDeclarations: [{ name: "f", parametersJsonSchema: { type: "object", properties: { a: { const: 1 } } } }] }] }, 'Unknown name "const"'],
    ["$schema in responseJsonSchema", { contents: [user], generationConfig: { responseMimeType: "application/json", responseJsonSchema: { $schema: "x" } } }, 'Unknown name "$schema"'],
    ["a schema without the JSON mime type", { contents: [user], generationConfig: { responseJsonSchema: { type: "object" } } }, "responseMimeType"],
    ["a gif", { contents: [{ role: "user", parts: [{ inlineData: { mimeType: "image/gif", data: "R0lG" } }] }] }, "Unsupported MIME type: image/gif"],
    ["a non-inline image", { contents: [{ role: "user", parts: [{ fileData: { fileUri: "https://x/y.png" } }] }] }, "inline images only"],
    ["a functionResponse without a name", { contents: [user, call(), result({ id: "c1", response: { output: "x" } })] }, "Name cannot be empty"],
    ["a functionResponse answering no call", { contents: [user, call(), result({ id: "zz", name: "f", response: { output: "x" } })] }, "no earlier functionCall"],
    ["a call without thoughtSignature while thinking", { ...thinking, contents: [user, call(), result({ id: "c1", name: "f", response: { output: "x" } })] }, "missing a thought_signature"],
    ["allowedFunctionNames outside ANY", { contents: [user], toolConfig: { functionCallingConfig: { mode: "AUTO", allowedFunctionNames: ["f"] } } }, "allowed_function_names"],
  ])("%s", async (_, body, message) => {
    expect(geminiRejection(body as Record<string, unknown>)).toContain(message);
    const res = await fetch(`${sim.baseUrl("g")}/v1beta/models/gemini-3-flash:generateContent`, { method: "POST", body: JSON.stringify(body) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { status: "INVALID_ARGUMENT", message: expect.stringContaining(message) as unknown } });
  });

  it("takes the placeholder signature and a signed call while thinking", () => {
    const ok = (sig: string): unknown => geminiRejection({ ...thinking, contents: [user, call({ thoughtSignature: sig }), result({ id: "c1", name: "f", response: { output: "x" } })] });
    expect(ok("skip_thought_signature_validator")).toBeUndefined();
    expect(ok("c2ln")).toBeUndefined();
  });

  it("is reached through the adapter as invalid_request", async () => {
    const err = await complete({ messages: [{ role: "user", content: "x", parts: [{ type: "image", image: { kind: "base64", data: "R0lG", mediaType: "image/gif" } }] }], params: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ kind: "invalid_request" });
  });
});

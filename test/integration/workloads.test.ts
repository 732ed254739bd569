/**
 * Real workloads through the running gateway with grpc-js, for every provider kind: agent loops (unary and streamed),
 * JSON-schema extraction, an image, reasoning sent back in a tool loop, a tool loop that fails over between provider
 * kinds mid-conversation; and the report equals the providers' tallies token for token.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grpcJsStub, streamAll, unary } from "../helpers/grpc-js-stub.js";
import type { GatewayStub, Json } from "../helpers/grpc-js-stub.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

const KINDS = ["openai", "anthropic", "gemini"] as const;
const PRICING = { inputPerMTok: 1, outputPerMTok: 2 };
const ALL = { tools: true, json_schema: true, images: true, reasoning: true };
const WEATHER = { name: "get_weather", description: "Current weather", parameters: JSON.stringify({ type: "object", properties: { city: { type: "string" } }, required: ["city"] }) };
const TIME = { name: "get_time", parameters: JSON.stringify({ type: "object", properties: { zone: { type: "string", enum: ["UTC", "CET"] } }, required: ["zone"] }) };
const USER = { role: "ROLE_USER", content: "What is the weather and the time in Paris?" };
// A 1x1 PNG.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

let h: Harness;
let stub: GatewayStub;

beforeAll(async () => {
  const endpoints = Object.fromEntries([...KINDS, "o2", "a2", "g2"].map((name) => [name, { kind: kindOf(name), profile: { toolCalls: 2 } }]));
  h = await startHarness({
    endpoints,
    config: {
      models: Object.fromEntries(Object.keys(endpoints).map((name) => [`${name}-model`, { provider: name, pricing: PRICING, capabilities: ALL }])),
      routes: { mixed: { strategy: "ordered", models: ["o2-model", "a2-model", "g2-model"] } },
      failover: { maxAttempts: 3 },
    },
  });
  stub = grpcJsStub(h.address);
});
afterAll(async () => {
  stub?.close();
  await h?.close();
});

function kindOf(name: string): "openai" | "anthropic" | "gemini" {
  return name.startsWith("o") ? "openai" : name.startsWith("a") ? "anthropic" : "gemini";
}

const complete = (req: Json): Promise<Json> => unary(stub, stub.complete, req);
const calls = (res: Json): Json[] => (res["toolCalls"] as Json[] | undefined) ?? [];

/** The assistant turn that sends a response's tool calls and reasoning back, and a result for each call. */
function answerCalls(res: Json, results: readonly string[]): Json[] {
  const made = calls(res);
  return [
    { role: "ROLE_ASSISTANT", content: (res["text"] as string | undefined) ?? "", toolCalls: made, reasoning: res["reasoning"] ?? [] },
    ...made.map((c, i) => ({ role: "ROLE_TOOL", toolCallId: c["id"], content: results[i] ?? "ok" })),
  ];
}

/** A stream's tool-call deltas joined by index: [{id, name, arguments}]. */
function assembled(messages: readonly Json[]): Json[] {
  const out: Json[] = [];
  for (const m of messages) {
    const d = m["toolCall"] as Json | undefined;
    if (!d) continue;
    const i = Number(d["index"] ?? 0);
    const call = (out[i] ??= { id: "", name: "", arguments: "" });
    if (d["id"]) call["id"] = d["id"];
    if (d["name"]) call["name"] = d["name"];
    call["arguments"] = `${String(call["arguments"])}${String(d["arguments"] ?? "")}`;
  }
  return out;
}

describe.each(KINDS)("%s through the gateway", (kind) => {
  const model = `${kind}-model`;

  it("runs an agent loop: parallel tool calls, their results, a final answer", async () => {
    const first = await complete({ model, messages: [USER], tools: [WEATHER, TIME] });
    expect(first["finishReason"]).toBe("FINISH_REASON_TOOL_CALLS");
    expect(calls(first).map((c) => [c["name"], JSON.parse(String(c["arguments"]))])).toEqual([
      ["get_weather", { city: "Paris" }],
      ["get_time", { zone: "UTC" }],
    ]);
    expect(new Set(calls(first).map((c) => c["id"])).size).toBe(2);
    const second = await complete({ model, messages: [USER, ...answerCalls(first, ["18C and sunny", "12:00"])], tools: [WEATHER, TIME] });
    expect(second["finishReason"]).toBe("FINISH_REASON_STOP");
    expect(second["text"]).toContain("simulated model");
    expect(calls(second)).toEqual([]);
  });

  it("streams an agent loop: tool-call deltas assemble into the summary's calls", async () => {
    const messages = await streamAll(stub, { request: { model, messages: [USER], tools: [WEATHER, TIME] } });
    const summary = messages[messages.length - 1]?.["summary"] as Json;
    expect(summary["finishReason"]).toBe("FINISH_REASON_TOOL_CALLS");
    const whole = calls(summary).map((c) => ({ id: c["id"], name: c["name"], arguments: c["arguments"] }));
    expect(assembled(messages)).toEqual(whole);
    expect(whole).toHaveLength(2);
    const next = await streamAll(stub, { request: { model, messages: [USER, ...answerCalls(summary, ["18C", "12:00"])], tools: [WEATHER, TIME] } });
    expect(next.filter((m) => m["delta"]).length).toBeGreaterThan(0);
    expect((next[next.length - 1]?.["summary"] as Json)["finishReason"]).toBe("FINISH_REASON_STOP");
  });

  it("extracts JSON that matches the schema, unary and streamed", async () => {
    const schema = { type: "object", properties: { city: { type: "string" }, population: { type: "integer", minimum: 1 }, sights: { type: "array", items: { type: "string" } } }, required: ["city", "population", "sights"], additionalProperties: false };
    const responseFormat = { type: "RESPONSE_FORMAT_TYPE_JSON_SCHEMA", name: "city", schema: JSON.stringify(schema), strict: true };
    const res = await complete({ model, messages: [{ role: "ROLE_USER", content: "Describe Paris." }], responseFormat });
    const value = JSON.parse(String(res["text"])) as Json;
    expect(Object.keys(value).sort()).toEqual(["city", "population", "sights"]);
    expect(Number.isInteger(value["population"]) && Number(value["population"]) >= 1).toBe(true);
    const streamed = await streamAll(stub, { request: { model, messages: [{ role: "ROLE_USER", content: "Describe Paris." }], responseFormat } });
    expect(JSON.parse(streamed.map((m) => (m["delta"] as Json | undefined)?.["text"] ?? "").join(""))).toEqual(value);
  });

  it("answers a question about an image, its tokens billed", async () => {
    const parts = [{ text: "What is in this picture?" }, { image: { data: PNG, mediaType: "image/png" } }];
    const res = await complete({ model, messages: [{ role: "ROLE_USER", parts }] });
    expect(res["finishReason"]).toBe("FINISH_REASON_STOP");
    // The simulator bills 85 tokens per image on top of the text's 6.
    expect((res["usage"] as Json)["inputTokens"]).toBe("91");
  });

  it("sends reasoning back untouched in a tool loop", async () => {
    const reasoning = { effort: "REASONING_EFFORT_LOW" };
    const first = await complete({ model, messages: [USER], tools: [WEATHER], reasoning });
    const blocks = (first["reasoning"] as Json[] | undefined) ?? [];
    expect(blocks.length).toBeGreaterThan(0);
    expect(blocks.every((b) => b["format"] === kind)).toBe(true);
    expect(Number((first["usage"] as Json)["reasoningTokens"])).toBeGreaterThan(0);
    // The strict simulators refuse a turn whose reasoning (signatures) did not come back as they issued it.
    const second = await complete({ model, messages: [USER, ...answerCalls(first, ["18C"])], tools: [WEATHER], reasoning });
    expect(second["finishReason"]).toBe("FINISH_REASON_STOP");
  });
});

describe("the catalogue", () => {
  it("lists what each model can do", async () => {
    const res = await unary(stub, stub.listModels, {});
    const model = (res["models"] as Json[]).find((m) => m["name"] === "openai-model");
    expect(model?.["capabilities"]).toEqual(["tools", "json_schema", "images", "reasoning"]);
  });
});

describe("a tool loop that fails over between provider kinds mid-conversation", () => {
  it("carries the conversation from OpenAI to Anthropic to Gemini", async () => {
    const first = await complete({ model: "mixed", messages: [USER], tools: [WEATHER, TIME] });
    expect(first["provider"]).toBe("o2");
    const history = [USER, ...answerCalls(first, ["18C", "12:00"])];
    h.sim.setProfile("o2", { down: true });
    const second = await complete({ model: "mixed", messages: [...history, { role: "ROLE_USER", content: "And in Rome?" }], tools: [WEATHER, TIME] });
    expect(second["provider"]).toBe("a2");
    // Anthropic saw the tools and the OpenAI-made calls with their results (its strict simulator checks the pairing).
    expect(second["finishReason"]).toBe("FINISH_REASON_TOOL_CALLS");
    expect((second["attempts"] as Json[]).map((a) => a["outcome"])).toEqual(["ATTEMPT_OUTCOME_FAILED", "ATTEMPT_OUTCOME_SUCCEEDED"]);
    h.sim.setProfile("a2", { down: true });
    const third = await complete({ model: "mixed", messages: [...history, { role: "ROLE_USER", content: "And in Rome?" }, ...answerCalls(second, ["21C", "12:00"])], tools: [WEATHER, TIME] });
    expect(third["provider"]).toBe("g2");
    expect(third["finishReason"]).toBe("FINISH_REASON_STOP");
  });
});

describe("cost truth with tool, JSON and image traffic", () => {
  it("reports exactly the tokens each provider billed", async () => {
    const report = await unary(stub, stub.getCostReport, { groupBy: ["DIMENSION_PROVIDER"] });
    const groups = report["groups"] as Json[];
    for (const name of [...KINDS, "o2", "a2", "g2"]) {
      const t = h.sim.tally(name);
      const g = groups.find((x) => (x["key"] as Json)["provider"] === name);
      expect([g?.["inputTokens"], g?.["outputTokens"]], name).toEqual([String(t.inputTokens), String(t.outputTokens)]);
      expect((g?.["cost"] as Json | undefined)?.["picoUnits"], name).toBe(String(BigInt(t.inputTokens) * 1_000_000n + BigInt(t.outputTokens) * 2_000_000n));
    }
  });
});

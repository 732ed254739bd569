/**
 * The OpenAI-compatible door driven by the official `openai` SDK (6.x) against a real listening gateway over the
 * three simulated provider kinds: unary and streamed chat, streamed tool calls in an agent loop, a JSON-schema
 * answer, an image, reasoning sent back, the gateway's extras, and the report equal to the providers' tallies.
 */
import OpenAI from "openai";
import type { ChatCompletionMessageParam, ChatCompletionTool } from "openai/resources/chat/completions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

const KINDS = ["openai", "anthropic", "gemini"] as const;
const PRICING = { inputPerMTok: 1, outputPerMTok: 2 };
const ALL = { tools: true, json_schema: true, images: true, reasoning: true };
const TOOLS: ChatCompletionTool[] = [
  { type: "function", function: { name: "get_weather", description: "Current weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } },
  { type: "function", function: { name: "get_time", parameters: { type: "object", properties: { zone: { type: "string", enum: ["UTC", "CET"] } }, required: ["zone"] } } },
];
const ASK: ChatCompletionMessageParam = { role: "user", content: "What is the weather and the time in Paris?" };
// A 1x1 PNG.
const PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

let h: Harness;
let client: OpenAI;

beforeAll(async () => {
  const endpoints = Object.fromEntries(KINDS.map((kind) => [kind, { kind, profile: { toolCalls: 2 } }]));
  h = await startHarness({
    endpoints: { ...endpoints, down: { kind: "openai", profile: { down: true } } },
    config: {
      models: {
        ...Object.fromEntries(KINDS.map((kind) => [`${kind}-model`, { provider: kind, pricing: PRICING, capabilities: ALL }])),
        "down-model": { provider: "down", pricing: PRICING, capabilities: ALL },
      },
      routes: { mixed: { strategy: "ordered", models: ["down-model", "anthropic-model", "gemini-model"] } },
      failover: { maxAttempts: 3 },
    },
  });
  client = new OpenAI({ baseURL: `http://${h.address}/v1`, apiKey: "unused", maxRetries: 0 });
});
afterAll(async () => {
  await h?.close();
});

describe.each(KINDS)("%s through the OpenAI door", (kind) => {
  const model = `${kind}-model`;

  it("answers a chat completion with usage, and the gateway's extras as headers", async () => {
    const { data, response } = await client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] }).withResponse();
    expect(data.object).toBe("chat.completion");
    expect(data.model).toBe(model);
    expect(data.choices[0]?.message.content).toMatch(/\w+/);
    expect(data.choices[0]?.finish_reason).toBe("stop");
    expect(data.usage?.total_tokens).toBe((data.usage?.prompt_tokens ?? -1) + (data.usage?.completion_tokens ?? -1));
    expect(response.headers.get("x-llmgateway-provider")).toBe(kind);
    expect(response.headers.get("x-llmgateway-attempts")).toBe("1");
    expect(Number(response.headers.get("x-llmgateway-cost-usd"))).toBeGreaterThan(0);
    expect(Number(response.headers.get("x-llmgateway-overhead-ms"))).toBeGreaterThanOrEqual(0);
    expect(data.id).toBe(`chatcmpl-${response.headers.get("x-request-id")}`);
  });

  it("streams chunks with the role first, a finish_reason, a usage chunk and [DONE]", async () => {
    const stream = await client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }], stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toMatch(/\w+ \w+/);
    const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finish.map((c) => c.choices[0]?.finish_reason)).toEqual(["stop"]);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.completion_tokens).toBeGreaterThan(0);
    expect((last as unknown as { llmgateway: { provider: string } }).llmgateway.provider).toBe(kind);
  });

  it("streams parallel tool calls that the SDK's stream helper assembles, then answers the results", async () => {
    const stream = client.chat.completions.stream({ model, messages: [ASK], tools: TOOLS });
    const first = await stream.finalChatCompletion();
    const message = first.choices[0]?.message;
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    const calls = (message?.tool_calls ?? []).map((c) => (c.type === "function" ? [c.function.name, JSON.parse(c.function.arguments)] : []));
    expect(calls).toEqual([
      ["get_weather", { city: "Paris" }],
      ["get_time", { zone: "UTC" }],
    ]);
    if (!message) throw new Error("no message");
    const results: ChatCompletionMessageParam[] = (message.tool_calls ?? []).map((c, i) => ({ role: "tool", tool_call_id: c.id, content: i === 0 ? "18 C, clear" : "12:00" }));
    const second = await client.chat.completions.create({ model, messages: [ASK, message, ...results], tools: TOOLS });
    expect(second.choices[0]?.finish_reason).toBe("stop");
    expect(second.choices[0]?.message.content).toMatch(/\w+/);
  });

  it("answers JSON that matches the schema it was given", async () => {
    const schema = { type: "object", properties: { city: { type: "string" }, celsius: { type: "number" } }, required: ["city", "celsius"], additionalProperties: false };
    const res = await client.chat.completions.create({ model, messages: [{ role: "user", content: "Paris weather as JSON" }], response_format: { type: "json_schema", json_schema: { name: "weather", schema, strict: true } } });
    const answer = JSON.parse(res.choices[0]?.message.content ?? "") as Record<string, unknown>;
    expect(Object.keys(answer).sort()).toEqual(["celsius", "city"]);
    expect(typeof answer["celsius"]).toBe("number");
  });

  it("takes an image as a data URL", async () => {
    const res = await client.chat.completions.create({ model, messages: [{ role: "user", content: [{ type: "text", text: "What is in this picture?" }, { type: "image_url", image_url: { url: PNG, detail: "low" } }] }] });
    expect(res.choices[0]?.message.content).toMatch(/\w+/);
    expect(res.usage?.prompt_tokens).toBeGreaterThanOrEqual(85);
  });
});

describe("reasoning through the OpenAI door", () => {
  it("returns Anthropic's signed thinking, which a tool loop sends back verbatim", async () => {
    const model = "anthropic-model";
    const first = await client.chat.completions.create({ model, messages: [ASK], tools: TOOLS, reasoning_effort: "low", parallel_tool_calls: false });
    const message = first.choices[0]?.message as (OpenAI.ChatCompletionMessage & { llmgateway_reasoning?: { signature?: string }[]; reasoning_content?: string }) | undefined;
    expect(message?.reasoning_content).toMatch(/\w+/);
    expect(message?.llmgateway_reasoning?.[0]?.signature).toMatch(/\S+/);
    if (!message) throw new Error("no message");
    const results: ChatCompletionMessageParam[] = (message.tool_calls ?? []).map((c) => ({ role: "tool", tool_call_id: c.id, content: "ok" }));
    // The strict simulator refuses a tool loop whose thinking block did not come back.
    const second = await client.chat.completions.create({ model, messages: [ASK, message as ChatCompletionMessageParam, ...results], tools: TOOLS, reasoning_effort: "low" });
    expect(second.choices[0]?.finish_reason).toBe("stop");
  });
});

describe("failover behind the OpenAI door", () => {
  it("streams a tool call from the next provider when the first is down, and says so in the extras", async () => {
    const stream = await client.chat.completions.create({ model: "mixed", messages: [ASK], tools: TOOLS, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1) as unknown as { model: string; llmgateway: { attempts: number; provider: string } };
    expect(last.model).toBe("anthropic-model");
    expect(last.llmgateway).toMatchObject({ attempts: 2, provider: "anthropic" });
    const names = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).flatMap((t) => (t.function?.name ? [t.function.name] : []));
    expect(names).toEqual(["get_weather", "get_time"]);
  });
});

describe("the gateway's extras on the OpenAI door", () => {
  it("takes tags (header over metadata), a complexity hint and the request id into the ledger", async () => {
    const tagged = client.withOptions({ defaultHeaders: { "x-llmgateway-tags": "team=door%20test, feature=extras", "x-llmgateway-complexity": "simple", "x-request-id": "door-req-1" } });
    const { data, response } = await tagged.chat.completions.create({ model: "openai-model", messages: [{ role: "user", content: "hi" }], metadata: { team: "overridden", app: "notebook" } }).withResponse();
    expect(data.id).toBe("chatcmpl-door-req-1");
    expect(response.headers.get("x-request-id")).toBe("door-req-1");
    const report = await h.connect.getCostReport({ tags: { team: "door test", feature: "extras", app: "notebook" } });
    expect(Number(report.total?.requests)).toBe(1);
    const bad = await fetch(`http://${h.address}/v1/chat/completions`, { method: "POST", headers: { "x-llmgateway-complexity": "huge" }, body: "{}" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe("x-llmgateway-complexity");
    expect(bad.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("the model list", () => {
  it("lists models and routes, and retrieves one", async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(["openai-model", "anthropic-model", "gemini-model", "mixed"]));
    expect((await client.models.retrieve("gemini-model")).owned_by).toBe("gemini");
    await expect(client.models.retrieve("nope")).rejects.toMatchObject({ status: 404 });
  });
});

describe("cost truth through the OpenAI door", () => {
  it("reports exactly the tokens each provider billed", async () => {
    const report = await h.connect.getCostReport({ groupBy: [2] });
    for (const name of [...KINDS, "down"]) {
      const t = h.sim.tally(name);
      const g = report.groups.find((x) => x.key["provider"] === name);
      expect([Number(g?.inputTokens ?? 0), Number(g?.outputTokens ?? 0)], name).toEqual([t.inputTokens, t.outputTokens]);
      expect(g?.cost?.picoUnits ?? 0n, name).toBe(BigInt(t.inputTokens) * 1_000_000n + BigInt(t.outputTokens) * 2_000_000n);
    }
  });
});

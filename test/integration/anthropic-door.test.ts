/**
 * The Anthropic door driven by the official `@anthropic-ai/sdk` against a real listening gateway and simulated
 * providers: unary, streamed, a streamed tool loop that fails over across provider kinds, a JSON-schema answer, an
 * image, thinking sent back; and the ledger and the cost report agree with the simulators' tallies.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Dimension } from "../../gen/llmgateway/v1/cost_pb.js";
import { keyHash, newClientKey } from "../../src/cli/keys.js";
import { anthropicClient } from "../helpers/anthropic-door.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

const KEY = newClientKey();
const ADMIN = newClientKey();
const PRICING = { inputPerMTok: 1, outputPerMTok: 2 };
const ALL = { tools: true, json_schema: true, images: true, reasoning: true };
const ENDPOINTS = ["anth", "a2", "o2", "g2"] as const;
const WEATHER: Anthropic.Tool = { name: "get_weather", description: "Current weather", input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };
const TIME: Anthropic.Tool = { name: "get_time", input_schema: { type: "object", properties: { zone: { type: "string", enum: ["UTC", "CET"] } }, required: ["zone"] } };
const ASK: Anthropic.MessageParam = { role: "user", content: "What is the weather and the time in Paris?" };
// A 1x1 PNG.
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

let dir: string;
let h: Harness;
let client: Anthropic;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gw-anthropic-door-"));
  const kinds = { anth: "anthropic", a2: "anthropic", o2: "openai", g2: "gemini" } as const;
  h = await startHarness({
    endpoints: { ...Object.fromEntries(ENDPOINTS.map((n) => [n, { kind: kinds[n], profile: { toolCalls: 2 } }])), paced: { kind: "anthropic", profile: { chunkDelayMs: 15 } } },
    config: {
      models: {
        ...Object.fromEntries(ENDPOINTS.map((n) => [n === "anth" ? "claude" : `${n}-model`, { provider: n, pricing: PRICING, capabilities: ALL }])),
        "claude-paced": { provider: "paced", pricing: PRICING, capabilities: ALL },
      },
      routes: { mixed: { strategy: "ordered", models: ["a2-model", "o2-model", "g2-model"] } },
      failover: { maxAttempts: 3 },
      ledger: { path: join(dir, "ledger.db") },
      auth: { keys: { app: { sha256: keyHash(KEY) }, ops: { sha256: keyHash(ADMIN), role: "admin" } } },
    },
  });
  client = anthropicClient(h.address, KEY).client;
});
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

const toolUses = (m: Anthropic.Message): Anthropic.ToolUseBlock[] => m.content.filter((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
const textOf = (m: Anthropic.Message): string => m.content.map((b) => (b.type === "text" ? b.text : "")).join("");

/** The next turn: the answer's whole content back as the assistant turn, and a result for each tool_use. */
function answer(m: Anthropic.Message, results: readonly string[]): Anthropic.MessageParam[] {
  const uses = toolUses(m);
  return [
    { role: "assistant", content: m.content as Anthropic.ContentBlockParam[] },
    { role: "user", content: uses.map((u, i) => ({ type: "tool_result" as const, tool_use_id: u.id, content: results[i] ?? "ok" })) },
  ];
}

describe("the Anthropic door with the official SDK", () => {
  it("answers a unary message with Anthropic's shape, usage and the gateway's extras as headers", async () => {
    const { data, response } = await client.messages.create({ model: "claude", max_tokens: 256, system: "Be brief.", messages: [{ role: "user", content: "Say hello." }] }).withResponse();
    expect(data.type).toBe("message");
    expect(data.role).toBe("assistant");
    expect(data.id).toMatch(/^msg_/);
    expect(data.stop_reason).toBe("end_turn");
    expect(textOf(data)).toContain("simulated model");
    expect(data.usage.input_tokens).toBeGreaterThan(0);
    expect(data.usage.output_tokens).toBeGreaterThan(0);
    expect(response.headers.get("x-llmgateway-provider")).toBe("anth");
    expect(response.headers.get("x-llmgateway-model")).toBe("claude");
    expect(response.headers.get("x-llmgateway-attempts")).toBe("1");
    expect(Number(response.headers.get("x-llmgateway-cost-usd"))).toBeGreaterThan(0);
    expect(response.headers.get("request-id")).toBe(response.headers.get("x-request-id"));
  });

  it("takes the key as authorization: Bearer too, and the request id and tags from headers", async () => {
    const bearer = anthropicClient(h.address, "unused").client;
    const res = await bearer.messages
      .create({ model: "claude", max_tokens: 64, messages: [{ role: "user", content: "hi" }] }, { headers: { "x-api-key": null, authorization: `Bearer ${KEY}`, "x-request-id": "anth-door-1", "x-llmgateway-tags": "team=door" } })
      .withResponse();
    expect(res.response.headers.get("request-id")).toBe("anth-door-1");
    expect(res.data.id).toBe("msg_anthdoor1");
    // The tags from the header are in the ledger: the report finds the request by them.
    const report = await h.grpc.getCostReport({ tags: { team: "door" } }, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(report.total?.requests).toBe(1n);
  });

  it("streams with Anthropic's event sequence; finalMessage assembles the answer", async () => {
    const stream = client.messages.stream({ model: "claude", max_tokens: 256, messages: [{ role: "user", content: "Tell me a story." }] });
    const events: Anthropic.MessageStreamEvent[] = [];
    for await (const ev of stream) events.push(ev);
    const final = await stream.finalMessage();
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("message_start");
    expect(types.slice(-2)).toEqual(["message_delta", "message_stop"]);
    expect(types.filter((t) => t === "content_block_start")).toHaveLength(1);
    expect(types.filter((t) => t === "content_block_delta").length).toBeGreaterThan(3);
    expect(textOf(final)).toContain("simulated model");
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage.output_tokens).toBeGreaterThan(0);
    expect(final.usage.input_tokens).toBeGreaterThan(0);
    const delta = events.find((e) => e.type === "message_delta") as unknown as { llmgateway: Record<string, unknown> };
    expect(delta.llmgateway).toMatchObject({ provider: "anth", model: "claude", attempts: 1 });
  });

  it("runs a streamed tool loop that fails over from Anthropic to OpenAI to Gemini mid-conversation", async () => {
    const tools = [WEATHER, TIME];
    const first = await client.messages.stream({ model: "mixed", max_tokens: 512, tools, messages: [ASK] }).finalMessage();
    expect(first.stop_reason).toBe("tool_use");
    expect(toolUses(first).map((u) => [u.name, u.input])).toEqual([
      ["get_weather", { city: "Paris" }],
      ["get_time", { zone: "UTC" }],
    ]);
    const history = [ASK, ...answer(first, ["18C", "12:00"])];
    h.sim.setProfile("a2", { down: true });
    try {
      const rome: Anthropic.MessageParam[] = [...history, { role: "user", content: "And in Rome?" }];
      const second = await client.messages.stream({ model: "mixed", max_tokens: 512, tools, messages: rome }).finalMessage();
      expect(second.stop_reason).toBe("tool_use");
      expect(toolUses(second)).toHaveLength(2);
      h.sim.setProfile("o2", { down: true });
      const stream = client.messages.stream({ model: "mixed", max_tokens: 512, tools, messages: [...rome, ...answer(second, ["21C", "12:00"])] });
      let served: unknown;
      stream.on("streamEvent", (ev) => {
        if (ev.type === "message_delta") served = (ev as unknown as { llmgateway: { provider: string } }).llmgateway.provider;
      });
      const third = await stream.finalMessage();
      expect(third.stop_reason).toBe("end_turn");
      expect(served).toBe("g2");
    } finally {
      h.sim.setProfile("a2", { toolCalls: 2 });
      h.sim.setProfile("o2", { toolCalls: 2 });
    }
  });

  it("answers JSON that matches an output_config.format schema", async () => {
    const schema = { type: "object", properties: { city: { type: "string" }, population: { type: "integer" } }, required: ["city", "population"], additionalProperties: false };
    const res = await client.messages.create({ model: "claude", max_tokens: 256, messages: [{ role: "user", content: "Describe Paris." }], output_config: { format: { type: "json_schema", schema } } });
    const value = JSON.parse(textOf(res)) as Record<string, unknown>;
    expect(Object.keys(value).sort()).toEqual(["city", "population"]);
  });

  it("answers about an image, base64 or by URL, its tokens billed", async () => {
    const res = await client.messages.create({
      model: "claude",
      max_tokens: 64,
      messages: [{ role: "user", content: [{ type: "text", text: "What is in this picture?" }, { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } }] }],
    });
    // The simulator bills 85 tokens per image on top of the text's 6.
    expect(res.usage.input_tokens).toBe(91);
    const byUrl = await client.messages.create({
      model: "claude",
      max_tokens: 64,
      messages: [{ role: "user", content: [{ type: "text", text: "What is in this picture?" }, { type: "image", source: { type: "url", url: "https://images.example/cat.png" } }] }],
    });
    expect(byUrl.usage.input_tokens).toBe(91);
  });

  it("sends thinking back with its signature in a tool loop, unary and streamed", async () => {
    const thinking = { type: "enabled" as const, budget_tokens: 1024 };
    for (const streamed of [false, true]) {
      const params = { model: "claude", max_tokens: 2048, thinking, tools: [WEATHER], messages: [ASK] };
      const first = streamed ? await client.messages.stream(params).finalMessage() : await client.messages.create(params);
      const block = first.content[0];
      expect(block?.type).toBe("thinking");
      expect(block?.type === "thinking" && block.signature).toMatch(/^sig_/);
      // The simulator refuses a turn whose thinking did not come back exactly as it gave it.
      const second = await client.messages.create({ ...params, messages: [ASK, ...answer(first, ["18C"])] });
      expect(second.stop_reason).toBe("end_turn");
    }
  });

  it("streams a thinking block's signature when Claude finished the block, and the text after it as it comes", async () => {
    const seen: Array<[string, number]> = [];
    const stream = client.messages.stream({ model: "claude-paced", max_tokens: 2048, thinking: { type: "enabled", budget_tokens: 1024 }, messages: [{ role: "user", content: "hi" }] });
    for await (const ev of stream) seen.push([ev.type === "content_block_delta" ? ev.delta.type : ev.type, performance.now()]);
    const names = seen.map(([n]) => n);
    const at = (name: string): number => seen.find(([n]) => n === name)?.[1] ?? Number.NaN;
    expect(names.indexOf("signature_delta")).toBeGreaterThan(names.indexOf("thinking_delta"));
    expect(names.indexOf("signature_delta")).toBeLessThan(names.indexOf("text_delta"));
    expect(names.filter((n) => n === "signature_delta")).toHaveLength(1);
    // Not held for the summary: the text streams at the provider's pace (15 ms a chunk), well before the end.
    expect(at("message_stop") - at("text_delta")).toBeGreaterThan(60);
  });

  it.each(["o2-model", "g2-model"])("returns another format's reasoning (%s) to it through thinking blocks", async (model) => {
    const params = { model, max_tokens: 2048, thinking: { type: "enabled" as const, budget_tokens: 1024 }, tools: [WEATHER], messages: [ASK] };
    const first = await client.messages.stream(params).finalMessage();
    const signatures = first.content.flatMap((b) => (b.type === "thinking" ? [b.signature] : []));
    expect(signatures.length).toBeGreaterThan(0);
    // DeepSeek-style reasoning comes back as the openai format's; Gemini's call signature rides in its own block.
    expect(signatures.some((s) => s.startsWith(model === "o2-model" ? "llmgateway:openai:" : "llmgateway:call:"))).toBe(true);
    // The strict simulators refuse a turn whose reasoning did not come back as they gave it.
    const second = await client.messages.create({ ...params, messages: [ASK, ...answer(first, ["18C", "12:00"])] });
    expect(second.stop_reason).toBe("end_turn");
  });
});

describe("cost truth through the Anthropic door", () => {
  it("reports exactly the tokens each provider billed", async () => {
    const report = await h.grpc.getCostReport({ groupBy: [Dimension.PROVIDER] }, { headers: { authorization: `Bearer ${ADMIN}` } });
    for (const name of ENDPOINTS) {
      const t = h.sim.tally(name);
      const g = report.groups.find((x) => x.key?.provider === name);
      expect([g?.inputTokens ?? 0n, g?.outputTokens ?? 0n], name).toEqual([BigInt(t.inputTokens), BigInt(t.outputTokens)]);
      expect(g?.cost?.picoUnits ?? 0n, name).toBe(BigInt(t.inputTokens) * 1_000_000n + BigInt(t.outputTokens) * 2_000_000n);
    }
  });
});

import { describe, expect, it } from "vitest";
import type { ChatMessage, ChatRequest } from "../types.js";
import { anthropicWire } from "./wire.js";

const wire = anthropicWire({ now: () => 0 });
const ask: ChatMessage = { role: "user", content: "Hi" };
const tool = { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } };

/** check() of a request. */
function check(r: Partial<ChatRequest>): unknown {
  return wire.check({ request: { messages: [ask], params: {}, ...r }, upstreamModel: "m", defaultMaxTokens: 4096 });
}

/** A user message with one image. */
function image(img: ChatMessage["parts"] extends readonly (infer P)[] | undefined ? P : never, role: ChatMessage["role"] = "user"): ChatMessage {
  return { role, content: "", parts: [{ type: "text", text: "See" }, img] };
}

describe("anthropicWire.check", () => {
  it("accepts plain text, tools, images of the four types and reasoning with room for its budget", () => {
    expect(check({})).toBeUndefined();
    expect(check({ tools: [tool], toolChoice: { mode: "required" }, parallelToolCalls: false })).toBeUndefined();
    for (const t of ["image/jpeg", "image/png", "image/gif", "image/webp"]) {
      expect(check({ messages: [image({ type: "image", image: { kind: "base64", data: "AAAA", mediaType: t } })] })).toBeUndefined();
    }
    expect(check({ messages: [image({ type: "image", image: { kind: "url", url: "https://x/y" } })] })).toBeUndefined();
    expect(check({ reasoning: { effort: "low" }, params: { maxTokens: 2000 } })).toBeUndefined();
    expect(check({ reasoning: { effort: "none" }, toolChoice: { mode: "required" }, tools: [tool] })).toBeUndefined();
  });

  it("names an image type Anthropic does not take, an image over 5 MB, and an image outside a user turn", () => {
    const heic = image({ type: "image", image: { kind: "base64", data: "AAAA", mediaType: "image/heic" } });
    expect(check({ messages: [{ role: "system", content: "x" }, heic] })).toMatchObject({ field: "messages[1].parts[1].image.media_type" });
    const url = image({ type: "image", image: { kind: "url", url: "https://x/y.bmp", mediaType: "image/bmp" } });
    expect(check({ messages: [url] })).toMatchObject({ field: "messages[0].parts[1].image.media_type" });
    const big = "A".repeat(Math.ceil((5 * 1024 * 1024 + 1) / 3) * 4);
    expect(check({ messages: [image({ type: "image", image: { kind: "base64", data: big, mediaType: "image/png" } })] })).toMatchObject({ field: "messages[0].parts[1].image.data" });
    const fits = "A".repeat(((5 * 1024 * 1024) / 3) * 4 - 4);
    expect(check({ messages: [image({ type: "image", image: { kind: "base64", data: fits, mediaType: "image/png" } })] })).toBeUndefined();
    const assistant = image({ type: "image", image: { kind: "url", url: "https://x/y" } }, "assistant");
    expect(check({ messages: [ask, assistant] })).toMatchObject({ field: "messages[1].parts[1]" });
  });

  it("refuses a thinking budget below 1024, saying the max_tokens needed; an effort is raised to the minimum", () => {
    expect(check({ reasoning: { effort: "minimal" } })).toBeUndefined();
    expect(check({ reasoning: { budgetTokens: 1000 } })).toMatchObject({ field: "reasoning.budget_tokens" });
    const tight = check({ reasoning: { effort: "medium" }, params: { maxTokens: 1000 } });
    expect(tight).toMatchObject({ field: "reasoning.budget_tokens" });
    expect((tight as { reason: string }).reason).toContain("max_tokens of at least 1025");
  });

  it("refuses a forced tool while thinking", () => {
    expect(check({ reasoning: { effort: "low" }, tools: [tool], toolChoice: { mode: "required" } })).toMatchObject({ field: "tool_choice" });
    expect(check({ reasoning: { effort: "low" }, tools: [tool], toolChoice: { mode: "tool", name: "get_weather" } })).toMatchObject({ field: "tool_choice" });
  });

  it("refuses a tool loop under thinking whose calling turn has no Anthropic thinking block", () => {
    const loop = (reasoning: ChatMessage["reasoning"]): ChatMessage[] => [
      ask,
      { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "get_weather", arguments: "{}" }], ...(reasoning ? { reasoning } : {}) },
      { role: "tool", toolCallId: "c1", content: "sunny" },
    ];
    expect(check({ tools: [tool], reasoning: { effort: "low" }, messages: loop(undefined) })).toMatchObject({ field: "messages[1].reasoning" });
    expect(check({ tools: [tool], reasoning: { effort: "low" }, messages: loop([{ format: "gemini", signature: "g" }]) })).toMatchObject({ field: "messages[1].reasoning" });
    expect(check({ tools: [tool], reasoning: { effort: "low" }, messages: loop([{ format: "anthropic", text: "t", signature: "s" }]) })).toBeUndefined();
    expect(check({ tools: [tool], messages: loop(undefined) })).toBeUndefined();
  });

  it("refuses tool calls without declared tools, arguments that are not an object, and a non-object tool schema", () => {
    const history: ChatMessage[] = [ask, { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "f", arguments: "[1]" }] }];
    expect(check({ messages: history })).toMatchObject({ field: "messages[1].tool_calls[0].arguments" });
    expect(check({ messages: [ask, { role: "tool", toolCallId: "c1", content: "x" }] })).toMatchObject({ field: "tools" });
    expect(check({ tools: [{ name: "f", parameters: { type: "string" } }] })).toMatchObject({ field: "tools[0].parameters.type" });
  });

  it("names the schema keyword that has no Anthropic equivalent, for strict tools and response schemas", () => {
    const map = { type: "object", properties: { tags: { type: "object", additionalProperties: { type: "string" } } } };
    expect(check({ tools: [{ name: "f", parameters: map, strict: true }] })).toMatchObject({ field: "tools[0].parameters.properties.tags.additionalProperties" });
    expect(check({ tools: [{ name: "f", parameters: map }] })).toBeUndefined();
    const responseFormat = { type: "json_schema", name: "r", schema: map, strict: true, skipValidation: false } as const;
    expect(check({ responseFormat })).toMatchObject({ field: "response_format.schema.properties.tags.additionalProperties" });
    const bounded = { ...responseFormat, schema: { type: "object", properties: { n: { type: "integer", minimum: 3 } } } };
    expect(check({ responseFormat: bounded })).toBeUndefined();
  });
});

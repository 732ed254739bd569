import { describe, expect, it } from "vitest";
import type { ChatMessage, ChatRequest } from "../types.js";
import { openAiWire } from "./wire.js";

const wire = openAiWire({ now: () => 0 });

/** The JSON body sent for this request. */
function body(request: Partial<ChatRequest> & Pick<ChatRequest, "messages">): Record<string, unknown> {
  const call = { upstreamModel: "gpt-4.1", defaultMaxTokens: 1024, request: { params: {}, ...request } };
  return JSON.parse(wire.buildRequest(call, "sk", false).body) as Record<string, unknown>;
}

const hi: ChatMessage = { role: "user", content: "Hi" };
const weather = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };

describe("openAiWire.buildRequest content", () => {
  it("sends text-only parts as a plain string and images as image_url parts, base64 as a data URL", () => {
    const messages: ChatMessage[] = [
      { role: "user", content: "ab", parts: [{ type: "text", text: "a" }, { type: "text", text: "b" }] },
      {
        role: "user",
        content: "What is this?",
        parts: [
          { type: "text", text: "What is this?" },
          { type: "image", image: { kind: "url", url: "https://x.test/a.png" }, detail: "low" },
          { type: "image", image: { kind: "base64", data: "iVBORw0K", mediaType: "image/png" } },
        ],
      },
    ];
    expect(body({ messages })["messages"]).toEqual([
      { role: "user", content: "ab" },
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image_url", image_url: { url: "https://x.test/a.png", detail: "low" } },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0K" } },
        ],
      },
    ]);
  });

  it("sends an agent loop: assistant tool calls (content null), tool results (errors prefixed), reasoning_content back", () => {
    const messages: ChatMessage[] = [
      hi,
      {
        role: "assistant",
        content: "",
        toolCalls: [
          { id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}', signature: "sig" },
          { id: "call_2", name: "get_time", arguments: "{}" },
        ],
        reasoning: [
          { format: "openai", text: "Need weather." },
          { format: "anthropic", text: "not ours", signature: "s" },
        ],
      },
      { role: "tool", toolCallId: "call_1", content: "18C" },
      { role: "tool", toolCallId: "call_2", content: "clock broken", isError: true },
      { role: "assistant", content: "It is 18C.", toolCalls: [{ id: "call_3", name: "get_time", arguments: "{}" }] },
    ];
    expect(body({ messages })["messages"]).toEqual([
      { role: "user", content: "Hi" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          { id: "call_2", type: "function", function: { name: "get_time", arguments: "{}" } },
        ],
        reasoning_content: "Need weather.",
      },
      { role: "tool", tool_call_id: "call_1", content: "18C" },
      { role: "tool", tool_call_id: "call_2", content: "Error: clock broken" },
      { role: "assistant", content: "It is 18C.", tool_calls: [{ id: "call_3", type: "function", function: { name: "get_time", arguments: "{}" } }] },
    ]);
  });

  it("keeps a plain assistant turn's text and sends no reasoning_content for other formats' blocks", () => {
    const m: ChatMessage = { role: "assistant", content: "ok", reasoning: [{ format: "gemini", signature: "x" }] };
    expect(body({ messages: [hi, m] })["messages"]).toEqual([hi, { role: "assistant", content: "ok" }]);
  });
});

describe("openAiWire.buildRequest tools and formats", () => {
  it("declares tools, choice and parallel calls; a strict tool's schema in strict form", () => {
    const b = body({
      messages: [hi],
      tools: [
        { name: "get_weather", description: "Weather of a city", parameters: weather, strict: true },
        { name: "ping" },
        { name: "loose", parameters: { type: "object" }, strict: false },
      ],
      toolChoice: { mode: "required" },
      parallelToolCalls: false,
    });
    expect(b["tools"]).toEqual([
      {
        type: "function",
        function: { name: "get_weather", description: "Weather of a city", parameters: { ...weather, additionalProperties: false }, strict: true },
      },
      { type: "function", function: { name: "ping" } },
      { type: "function", function: { name: "loose", parameters: { type: "object" }, strict: false } },
    ]);
    expect(b["tool_choice"]).toBe("required");
    expect(b["parallel_tool_calls"]).toBe(false);
  });

  it("sends strict:false with the schema as given when it has no strict form, and a closed empty schema for a strict no-arg tool", () => {
    const open = { type: "object", properties: { tags: { type: "object", additionalProperties: { type: "string" } } } };
    const b = body({ messages: [hi], tools: [{ name: "tag", parameters: open, strict: true }, { name: "now", strict: true }] });
    expect(b["tools"]).toEqual([
      { type: "function", function: { name: "tag", parameters: open, strict: false } },
      { type: "function", function: { name: "now", parameters: { type: "object", properties: {}, required: [], additionalProperties: false }, strict: true } },
    ]);
  });

  it.each([
    [{ mode: "auto" } as const, "auto"],
    [{ mode: "none" } as const, "none"],
    [{ mode: "tool", name: "get_weather" } as const, { type: "function", function: { name: "get_weather" } }],
  ])("maps tool choice %j", (toolChoice, expected) => {
    expect(body({ messages: [hi], tools: [{ name: "get_weather" }], toolChoice })["tool_choice"]).toEqual(expected);
  });

  it("sends parallel_tool_calls and tool_choice only with tools (OpenAI rejects them alone)", () => {
    expect(body({ messages: [hi], parallelToolCalls: true })).not.toHaveProperty("parallel_tool_calls");
    expect(body({ messages: [hi], toolChoice: { mode: "none" } })).not.toHaveProperty("tool_choice");
    expect(body({ messages: [hi], tools: [{ name: "t" }], parallelToolCalls: true })["parallel_tool_calls"]).toBe(true);
  });

  it("maps response formats: json_schema (strict form when strict), json_object, text omitted", () => {
    const schema = { type: "object", properties: { answer: { type: "string" } } };
    const strict = { type: "json_schema", name: "a", description: "d", schema, strict: true, skipValidation: false } as const;
    expect(body({ messages: [hi], responseFormat: strict })["response_format"]).toEqual({
      type: "json_schema",
      json_schema: {
        name: "a",
        description: "d",
        schema: { type: "object", properties: { answer: { type: ["string", "null"] } }, required: ["answer"], additionalProperties: false },
        strict: true,
      },
    });
    expect(body({ messages: [hi], responseFormat: { type: "json_schema", name: "a", schema, strict: false, skipValidation: false } })["response_format"]).toEqual({
      type: "json_schema",
      json_schema: { name: "a", schema, strict: false },
    });
    expect(body({ messages: [hi], responseFormat: { type: "json_object" } })["response_format"]).toEqual({ type: "json_object" });
    expect(body({ messages: [hi], responseFormat: { type: "text" } })).not.toHaveProperty("response_format");
  });

  it("sends reasoning_effort from an effort or the nearest level of a budget", () => {
    expect(body({ messages: [hi], reasoning: { effort: "low" } })["reasoning_effort"]).toBe("low");
    expect(body({ messages: [hi], reasoning: { budgetTokens: 8000 } })["reasoning_effort"]).toBe("medium");
    expect(body({ messages: [hi], reasoning: { budgetTokens: 0 } })["reasoning_effort"]).toBe("none");
    expect(body({ messages: [hi] })).not.toHaveProperty("reasoning_effort");
  });
});

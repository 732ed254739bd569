import { describe, expect, it } from "vitest";
import type { ChatMessage, ChatRequest, UpstreamCall } from "../types.js";
import { anthropicToolId, JSON_OBJECT_INSTRUCTION } from "./request.js";
import { anthropicWire } from "./wire.js";

const wire = anthropicWire({ now: () => 0 });

/** The JSON body sent for a request (default max tokens 4096). */
function body(request: Partial<ChatRequest> & Pick<ChatRequest, "messages">): Record<string, unknown> {
  const call: UpstreamCall = { upstreamModel: "claude-sonnet-4-5", defaultMaxTokens: 4096, request: { params: {}, ...request } };
  return JSON.parse(wire.buildRequest(call, "k", false).body) as Record<string, unknown>;
}

const weather = { name: "get_weather", description: "Weather of a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };
const ask: ChatMessage = { role: "user", content: "Weather in Paris and Oslo?" };
const calls: ChatMessage = {
  role: "assistant",
  content: "Checking.",
  toolCalls: [
    { id: "toolu_01", name: "get_weather", arguments: '{"city":"Paris"}' },
    { id: "call.2:x", name: "get_weather", arguments: '{"city":"Oslo"}' },
  ],
};

describe("anthropic request: tools and tool choice", () => {
  it("declares tools with input_schema (an object schema when none) and keeps strict", () => {
    const b = body({ messages: [ask], tools: [weather, { name: "now", strict: false }] });
    expect(b["tools"]).toEqual([
      { name: "get_weather", description: "Weather of a city", input_schema: weather.parameters },
      { name: "now", input_schema: { type: "object" }, strict: false },
    ]);
    expect(b).not.toHaveProperty("tool_choice");
  });

  it("converts a strict tool's schema to the structured-output subset", () => {
    const strict = { name: "f", strict: true, parameters: { type: "object", properties: { n: { type: "integer", minimum: 1 } } } };
    expect(body({ messages: [ask], tools: [strict] })["tools"]).toEqual([
      {
        name: "f",
        strict: true,
        input_schema: { type: "object", properties: { n: { type: "integer", description: "{minimum: 1}" } }, additionalProperties: false },
      },
    ]);
  });

  it.each([
    [{ mode: "auto" }, undefined, { type: "auto" }],
    [{ mode: "none" }, undefined, { type: "none" }],
    [{ mode: "required" }, undefined, { type: "any" }],
    [{ mode: "tool", name: "get_weather" }, undefined, { type: "tool", name: "get_weather" }],
    [undefined, false, { type: "auto", disable_parallel_tool_use: true }],
    [{ mode: "required" }, false, { type: "any", disable_parallel_tool_use: true }],
    [{ mode: "tool", name: "get_weather" }, false, { type: "tool", name: "get_weather", disable_parallel_tool_use: true }],
    [{ mode: "none" }, false, { type: "none" }],
    [{ mode: "auto" }, true, { type: "auto" }],
  ] as const)("maps tool choice %j with parallelToolCalls %s to %j", (toolChoice, parallelToolCalls, expected) => {
    const b = body({ messages: [ask], tools: [weather], ...(toolChoice ? { toolChoice } : {}), ...(parallelToolCalls !== undefined ? { parallelToolCalls } : {}) });
    expect(b["tool_choice"]).toEqual(expected);
  });
});

describe("anthropic request: tool calls and results in history", () => {
  const history: ChatMessage[] = [
    ask,
    calls,
    { role: "tool", toolCallId: "toolu_01", content: "18C, sunny" },
    { role: "tool", toolCallId: "call.2:x", content: "no such city", isError: true },
    { role: "user", content: "And tomorrow?" },
  ];

  it("sends calls as tool_use after the text, and every result of the turn in one user message, results first", () => {
    const oslo = anthropicToolId("call.2:x");
    expect(oslo).toMatch(/^call_2_x_[0-9a-f]{8}$/);
    expect(body({ messages: history, tools: [weather] })["messages"]).toEqual([
      { role: "user", content: "Weather in Paris and Oslo?" },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Checking." },
          { type: "tool_use", id: "toolu_01", name: "get_weather", input: { city: "Paris" } },
          { type: "tool_use", id: oslo, name: "get_weather", input: { city: "Oslo" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_01", content: "18C, sunny" },
          { type: "tool_result", tool_use_id: oslo, content: "no such city", is_error: true },
          { type: "text", text: "And tomorrow?" },
        ],
      },
    ]);
  });

  it("sanitises ids deterministically and without collisions, leaving valid ids alone", () => {
    expect(anthropicToolId("toolu_01A-b")).toBe("toolu_01A-b");
    expect(anthropicToolId("a.b")).toBe(anthropicToolId("a.b"));
    expect(anthropicToolId("a.b")).not.toBe(anthropicToolId("a:b"));
    expect(anthropicToolId("a.b")).toMatch(/^[a-zA-Z0-9_-]+$/);
  });

  it("sends a call with no arguments as input {} and a blank result without content", () => {
    const b = body({
      tools: [weather],
      messages: [ask, { role: "assistant", content: "", toolCalls: [{ id: "t1", name: "now", arguments: "" }] }, { role: "tool", toolCallId: "t1", content: " " }],
    });
    expect(b["messages"]).toEqual([
      { role: "user", content: "Weather in Paris and Oslo?" },
      { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "now", input: {} }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "t1" }] },
    ]);
  });

  it("keeps every text part of a tool result (not just the first)", () => {
    const result: ChatMessage = { role: "tool", toolCallId: "toolu_01", content: "a\nb", parts: [{ type: "text", text: "a" }, { type: "text", text: "b" }] };
    const m = body({ tools: [weather], messages: [ask, { ...calls, toolCalls: calls.toolCalls?.slice(0, 1) }, result] })["messages"] as Array<Record<string, unknown>>;
    expect(m[2]).toEqual({ role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] }] });
  });
});

describe("anthropic request: images", () => {
  it("sends base64 and URL images as image blocks in order with the text", () => {
    const m: ChatMessage = {
      role: "user",
      content: "Compare",
      parts: [
        { type: "text", text: "Compare" },
        { type: "image", image: { kind: "base64", data: "iVBORw0KGgo=", mediaType: "image/png" } },
        { type: "image", image: { kind: "url", url: "https://example.com/cat.jpg" }, detail: "high" },
      ],
    };
    expect(body({ messages: [m] })["messages"]).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "Compare" },
          { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
          { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
        ],
      },
    ]);
  });
});

describe("anthropic request: reasoning", () => {
  const turn: ChatMessage = {
    role: "assistant",
    content: "Let me look.",
    reasoning: [
      { format: "openai", text: "not ours" },
      { format: "anthropic", text: "Need the weather.", signature: "EqQB" },
      { format: "anthropic", redacted: "EmwKAhgB" },
    ],
    toolCalls: [{ id: "toolu_01", name: "get_weather", arguments: '{"city":"Paris"}' }],
  };

  it("sends this format's thinking blocks first, in order, untouched; other formats' are not sent", () => {
    const b = body({ tools: [weather], reasoning: { effort: "low" }, messages: [ask, turn, { role: "tool", toolCallId: "toolu_01", content: "sunny" }] });
    expect((b["messages"] as unknown[])[1]).toEqual({
      role: "assistant",
      content: [
        { type: "thinking", thinking: "Need the weather.", signature: "EqQB" },
        { type: "redacted_thinking", data: "EmwKAhgB" },
        { type: "text", text: "Let me look." },
        { type: "tool_use", id: "toolu_01", name: "get_weather", input: { city: "Paris" } },
      ],
    });
  });

  it("enables thinking with the effort's budget, clamped below max_tokens, and omits sampling", () => {
    const b = body({ messages: [ask], reasoning: { effort: "medium" }, params: { maxTokens: 20000, temperature: 0.2, topP: 0.5 } });
    expect(b["thinking"]).toEqual({ type: "enabled", budget_tokens: 8192 });
    expect(b).not.toHaveProperty("temperature");
    expect(b).not.toHaveProperty("top_p");
    expect(body({ messages: [ask], reasoning: { budgetTokens: 5000 }, params: { maxTokens: 3000 } })["thinking"]).toEqual({ type: "enabled", budget_tokens: 2999 });
    expect(body({ messages: [ask], reasoning: { effort: "high" } })).toMatchObject({ max_tokens: 4096, thinking: { budget_tokens: 4095 } });
  });

  it("sends no thinking for effort none or no control, and keeps sampling then", () => {
    expect(body({ messages: [ask], reasoning: { effort: "none" }, params: { temperature: 0.2 } })).toMatchObject({ temperature: 0.2 });
    expect(body({ messages: [ask], reasoning: { effort: "none" } })).not.toHaveProperty("thinking");
    expect(body({ messages: [ask] })).not.toHaveProperty("thinking");
  });
});

describe("anthropic request: response formats (never dropped)", () => {
  it("asks for a JSON object in the system prompt, after the system turns", () => {
    const b = body({ messages: [{ role: "system", content: "Be brief." }, ask], responseFormat: { type: "json_object" } });
    expect(b["system"]).toBe(`Be brief.\n\n${JSON_OBJECT_INSTRUCTION}`);
    expect(body({ messages: [ask], responseFormat: { type: "json_object" } })["system"]).toBe(JSON_OBJECT_INSTRUCTION);
  });

  it("sends a JSON schema as output_config.format, converted, with the format's description", () => {
    const schema = { type: "object", properties: { city: { type: "string", maxLength: 20 }, tags: { type: ["string", "null"] } }, required: ["city"] };
    const b = body({ messages: [ask], responseFormat: { type: "json_schema", name: "place", description: "A place", schema, strict: true, skipValidation: false } });
    expect(b["output_config"]).toEqual({
      format: {
        type: "json_schema",
        schema: {
          type: "object",
          description: "A place",
          properties: { city: { type: "string", description: "{maxLength: 20}" }, tags: { anyOf: [{ type: "string" }, { type: "null" }] } },
          required: ["city"],
          additionalProperties: false,
        },
      },
    });
    expect(b).not.toHaveProperty("system");
    expect(body({ messages: [ask], responseFormat: { type: "text" } })).not.toHaveProperty("output_config");
  });
});

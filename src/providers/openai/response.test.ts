import { describe, expect, it } from "vitest";
import { openAiWire } from "./wire.js";

const wire = openAiWire({ now: () => 0 });

/** A chat completion body with this message and finish reason. */
function completion(message: Record<string, unknown>, finish: string, usage?: Record<string, unknown>): string {
  return JSON.stringify({
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1,
    model: "gpt-4.1-2025-04-14",
    choices: [{ index: 0, message: { role: "assistant", ...message }, logprobs: null, finish_reason: finish }],
    ...(usage !== undefined ? { usage } : {}),
  });
}

describe("openAiWire.parseResponse tool calls", () => {
  it("reads parallel tool calls with content null, finish tool_calls", () => {
    const body = completion(
      {
        content: null,
        tool_calls: [
          { id: "call_a", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          { id: "call_b", type: "function", function: { name: "get_time", arguments: "" } },
        ],
        refusal: null,
      },
      "tool_calls",
      { prompt_tokens: 80, completion_tokens: 30, total_tokens: 110 },
    );
    expect(wire.parseResponse(body)).toEqual({
      text: "",
      finishReason: "tool_calls",
      responseModel: "gpt-4.1-2025-04-14",
      usage: { inputTokens: 80, outputTokens: 30 },
      toolCalls: [
        { id: "call_a", name: "get_weather", arguments: '{"city":"Paris"}' },
        { id: "call_b", name: "get_time", arguments: "{}" },
      ],
    });
  });

  it("says tool_calls when calls came with finish stop (forced choice), and other for tool_calls without any call", () => {
    const forced = completion({ content: null, tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }] }, "stop");
    expect(wire.parseResponse(forced).finishReason).toBe("tool_calls");
    expect(wire.parseResponse(completion({ content: "x", tool_calls: [] }, "tool_calls"))).toMatchObject({ finishReason: "other" });
    expect(wire.parseResponse(completion({ content: "x", tool_calls: [] }, "stop"))).not.toHaveProperty("toolCalls");
  });

  it("keeps text said next to a call", () => {
    const body = completion({ content: "Checking.", tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }] }, "tool_calls");
    expect(wire.parseResponse(body)).toMatchObject({ text: "Checking.", toolCalls: [{ id: "c", name: "f", arguments: "{}" }] });
  });

  it("reads Gemini's thought signature and names a call Gemini sent without an id", () => {
    const body = completion(
      {
        content: null,
        tool_calls: [
          { id: "", type: "function", function: { name: "a", arguments: "{}" }, extra_content: { google: { thought_signature: "c2ln" } } },
          { type: "function", function: { name: "b", arguments: '{"x":1}' } },
        ],
      },
      "tool_calls",
    );
    expect(wire.parseResponse(body).toolCalls).toEqual([
      { id: "call_0", name: "a", arguments: "{}", signature: "c2ln" },
      { id: "call_1", name: "b", arguments: '{"x":1}' },
    ]);
  });

  it("throws invalid_response for a malformed call", () => {
    for (const calls of [{}, [{ id: "c", function: {} }], ["x"]]) {
      expect(() => wire.parseResponse(completion({ content: null, tool_calls: calls }, "tool_calls"))).toThrow(expect.objectContaining({ kind: "invalid_response" }));
    }
  });
});

describe("openAiWire.parseResponse refusal, reasoning, usage", () => {
  it("reads a refusal", () => {
    const r = wire.parseResponse(completion({ content: null, refusal: "I can't help with that." }, "stop"));
    expect(r).toMatchObject({ text: "", refusal: "I can't help with that.", finishReason: "stop" });
  });

  it("reads DeepSeek's reasoning_content as a reasoning block of format openai", () => {
    const body = completion({ content: "9.11 < 9.8", reasoning_content: "Compare decimals." }, "stop", {
      prompt_tokens: 10,
      completion_tokens: 20,
      completion_tokens_details: { reasoning_tokens: 12 },
    });
    expect(wire.parseResponse(body)).toMatchObject({
      text: "9.11 < 9.8",
      reasoning: [{ format: "openai", text: "Compare decimals." }],
      usage: { inputTokens: 10, outputTokens: 20, reasoningTokens: 12 },
    });
    expect(wire.parseResponse(completion({ content: "x", reasoning_content: "" }, "stop"))).not.toHaveProperty("reasoning");
  });

  it("reads image tokens when reported, and leaves them absent otherwise", () => {
    const body = completion({ content: "A cat." }, "stop", { prompt_tokens: 100, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 0, image_tokens: 85 } });
    expect(wire.parseResponse(body).usage).toEqual({ inputTokens: 100, outputTokens: 3, cachedInputTokens: 0, imageInputTokens: 85 });
    expect(wire.parseResponse(completion({ content: "x" }, "stop", { prompt_tokens: 1 })).usage).not.toHaveProperty("imageInputTokens");
  });
});

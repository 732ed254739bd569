import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../types.js";
import { decode, joinedCalls } from "../../../test/helpers/sse-decode.js";
import { anthropicWire } from "./wire.js";

const wire = anthropicWire({ now: () => 0 });
const ev = (data: Record<string, unknown>): string => `event: ${String(data["type"])}\ndata: ${JSON.stringify(data)}\n\n`;
const start = (index: number, block: Record<string, unknown>): string => ev({ type: "content_block_start", index, content_block: block });
const delta = (index: number, d: Record<string, unknown>): string => ev({ type: "content_block_delta", index, delta: d });
const json = (index: number, partial: string): string => delta(index, { type: "input_json_delta", partial_json: partial });
const stop = (index: number): string => ev({ type: "content_block_stop", index });
const MESSAGE_START = ev({ type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", content: [], model: "claude-sonnet-4-5", usage: { input_tokens: 50, output_tokens: 1 } } });
const end = (reason: string): string =>
  ev({ type: "message_delta", delta: { stop_reason: reason, stop_sequence: null }, usage: { output_tokens: 40, output_tokens_details: { thinking_tokens: 12 } } }) + ev({ type: "message_stop" });

/** Thinking, redacted thinking, text, then three parallel calls: arguments in fragments, none at all, and in two. */
const STREAM =
  MESSAGE_START +
  start(0, { type: "thinking", thinking: "", signature: "" }) +
  delta(0, { type: "thinking_delta", thinking: "Two cities, " }) +
  delta(0, { type: "thinking_delta", thinking: "two calls." }) +
  delta(0, { type: "signature_delta", signature: "EqQBCgIY" }) +
  stop(0) +
  start(1, { type: "redacted_thinking", data: "EmwKAhgBEgy3va" }) +
  stop(1) +
  start(2, { type: "text", text: "" }) +
  delta(2, { type: "text_delta", text: "I'll check ✓." }) +
  stop(2) +
  start(3, { type: "tool_use", id: "toolu_A", name: "get_weather", input: {} }) +
  json(3, "") +
  json(3, '{"ci') +
  json(3, 'ty": "Pa') +
  json(3, 'ris"}') +
  stop(3) +
  start(4, { type: "tool_use", id: "toolu_B", name: "now", input: {} }) +
  json(4, "") +
  stop(4) +
  start(5, { type: "tool_use", id: "toolu_C", name: "get_weather", input: {} }) +
  json(5, '{"city":') +
  json(5, '"Oslo"}') +
  stop(5) +
  end("tool_use");

const EXPECTED: StreamEvent[] = [
  { type: "usage", usage: { inputTokens: 50 } },
  { type: "reasoning", text: "Two cities, " },
  { type: "reasoning", text: "two calls." },
  { type: "reasoning_block", block: { format: "anthropic", text: "Two cities, two calls.", signature: "EqQBCgIY" } },
  { type: "reasoning_block", block: { format: "anthropic", redacted: "EmwKAhgBEgy3va" } },
  { type: "delta", text: "I'll check ✓." },
  { type: "tool_call", delta: { index: 0, id: "toolu_A", name: "get_weather", arguments: "" } },
  { type: "tool_call", delta: { index: 0, arguments: '{"ci' } },
  { type: "tool_call", delta: { index: 0, arguments: 'ty": "Pa' } },
  { type: "tool_call", delta: { index: 0, arguments: 'ris"}' } },
  { type: "tool_call", delta: { index: 1, id: "toolu_B", name: "now", arguments: "" } },
  { type: "tool_call", delta: { index: 1, arguments: "{}" } },
  { type: "tool_call", delta: { index: 2, id: "toolu_C", name: "get_weather", arguments: "" } },
  { type: "tool_call", delta: { index: 2, arguments: '{"city":' } },
  { type: "tool_call", delta: { index: 2, arguments: '"Oslo"}' } },
  { type: "usage", usage: { inputTokens: 50, outputTokens: 40, reasoningTokens: 12 } },
  { type: "finish", reason: "tool_calls", responseModel: "claude-sonnet-4-5" },
];


describe("anthropic stream: tool calls and thinking", () => {
  it("decodes parallel calls, thinking and text the same at every byte boundary", () => {
    expect(decode(wire, STREAM)).toEqual({ events: EXPECTED });
    const n = new TextEncoder().encode(STREAM).length;
    for (let i = 1; i < n; i++) expect(decode(wire, STREAM, [i]), `split at ${i}`).toEqual({ events: EXPECTED });
  });

  it("joins to whole JSON arguments; the block start's input {} is never an argument fragment", () => {
    const calls = joinedCalls(decode(wire, STREAM).events);
    expect(calls).toEqual([
      { id: "toolu_A", name: "get_weather", arguments: '{"city": "Paris"}' },
      { id: "toolu_B", name: "now", arguments: "{}" },
      { id: "toolu_C", name: "get_weather", arguments: '{"city":"Oslo"}' },
    ]);
    for (const c of Object.values(calls)) expect(() => JSON.parse(c.arguments) as unknown).not.toThrow();
  });

  it("keys fragments by block index, so interleaved blocks do not mix", () => {
    const s = MESSAGE_START + start(0, { type: "tool_use", id: "a", name: "f", input: {} }) + start(1, { type: "tool_use", id: "b", name: "g", input: {} }) +
      json(1, '{"y":2}') + json(0, '{"x":1}') + stop(1) + stop(0) + end("tool_use");
    expect(joinedCalls(decode(wire, s).events)).toEqual([{ id: "a", name: "f", arguments: '{"x":1}' }, { id: "b", name: "g", arguments: '{"y":2}' }]);
  });

  it("finishes with tool_calls whenever a call was streamed, whatever stop_reason says", () => {
    const s = MESSAGE_START + start(0, { type: "tool_use", id: "a", name: "f", input: {} }) + json(0, "{}") + stop(0) + end("end_turn");
    expect(decode(wire, s).events.at(-1)).toEqual({ type: "finish", reason: "tool_calls", responseModel: "claude-sonnet-4-5" });
    const refused = MESSAGE_START + end("refusal");
    expect(decode(wire, refused).events.at(-1)).toMatchObject({ reason: "content_filter" });
  });
});

describe("anthropic unary: tool calls and thinking", () => {
  const message = (content: unknown[], stopReason: string): string =>
    JSON.stringify({ id: "msg_1", type: "message", role: "assistant", model: "claude-sonnet-4-5", content, stop_reason: stopReason, usage: { input_tokens: 9, output_tokens: 30 } });

  it("reads tool_use blocks as calls with JSON text arguments, thinking and redacted thinking as reasoning blocks", () => {
    const body = message(
      [
        { type: "thinking", thinking: "Check both.", signature: "EqQB" },
        { type: "redacted_thinking", data: "EmwK" },
        { type: "text", text: "Checking." },
        { type: "tool_use", id: "toolu_A", name: "get_weather", input: { city: "Paris", days: [1, 2] } },
        { type: "tool_use", id: "toolu_B", name: "now", input: {} },
      ],
      "tool_use",
    );
    expect(wire.parseResponse(body)).toEqual({
      text: "Checking.",
      finishReason: "tool_calls",
      responseModel: "claude-sonnet-4-5",
      usage: { inputTokens: 9, outputTokens: 30 },
      toolCalls: [
        { id: "toolu_A", name: "get_weather", arguments: '{"city":"Paris","days":[1,2]}' },
        { id: "toolu_B", name: "now", arguments: "{}" },
      ],
      reasoning: [
        { format: "anthropic", text: "Check both.", signature: "EqQB" },
        { format: "anthropic", redacted: "EmwK" },
      ],
    });
  });

  it("maps a refusal to content_filter and reads the thinking token count", () => {
    const body = JSON.parse(message([], "refusal")) as Record<string, unknown>;
    const r = wire.parseResponse(JSON.stringify({ ...body, usage: { input_tokens: 9, output_tokens: 30, output_tokens_details: { thinking_tokens: 20 } } }));
    expect(r).toMatchObject({ finishReason: "content_filter", text: "", usage: { outputTokens: 30, reasoningTokens: 20 } });
    expect(r).not.toHaveProperty("toolCalls");
  });

  it("rejects a tool_use block without an id as an invalid response", () => {
    expect(() => wire.parseResponse(message([{ type: "tool_use", name: "f", input: {} }], "tool_use"))).toThrow(expect.objectContaining({ kind: "invalid_response" }));
  });
});

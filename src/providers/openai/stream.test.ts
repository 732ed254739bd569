import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../types.js";
import { openAiWire } from "./wire.js";
import { decode, joinedCalls } from "../../../test/helpers/sse-decode.js";

const wire = openAiWire({ now: () => 0 });

/** One SSE event of a chunk with this delta (and finish reason). */
function chunk(delta: Record<string, unknown>, finish: string | null = null): string {
  const c = { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "m-1", choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null };
  return `data: ${JSON.stringify(c)}\n\n`;
}
const USAGE = 'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m-1","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":7,"total_tokens":16}}\n\n';
const DONE = "data: [DONE]\n\n";
const call = (index: number, fn: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ tool_calls: [{ index, ...extra, function: fn }] });

/** Decodes a stream at every byte boundary and expects the same events each time. */
function decodeEverywhere(sse: string): StreamEvent[] {
  const whole = decode(wire, sse);
  expect(whole.error).toBeUndefined();
  const n = new TextEncoder().encode(sse).length;
  for (let i = 1; i < n; i++) expect(decode(wire, sse, [i]), `split at ${i}`).toEqual(whole);
  return whole.events;
}


describe("openAiWire stream tool calls", () => {
  // Text first, then two calls whose fragments interleave, as OpenAI documents the chunk shapes.
  const PARALLEL =
    chunk({ role: "assistant", content: "", refusal: null }) +
    chunk({ content: "Checking." }) +
    chunk(call(0, { name: "get_weather", arguments: "" }, { id: "call_a", type: "function" })) +
    chunk(call(0, { arguments: '{"ci' })) +
    chunk(call(1, { name: "get_time", arguments: "" }, { id: "call_b", type: "function" })) +
    chunk(call(0, { arguments: 'ty":"Par' })) +
    chunk(call(1, { arguments: '{"tz":"CET"}' })) +
    chunk(call(0, { arguments: 'is"}' })) +
    chunk({}, "tool_calls") +
    USAGE +
    DONE;

  it("decodes parallel calls in fragments the same at every byte boundary, with our indices and finish tool_calls", () => {
    expect(decodeEverywhere(PARALLEL)).toEqual([
      { type: "delta", text: "Checking." },
      { type: "tool_call", delta: { index: 0, id: "call_a", name: "get_weather", arguments: "" } },
      { type: "tool_call", delta: { index: 0, arguments: '{"ci' } },
      { type: "tool_call", delta: { index: 1, id: "call_b", name: "get_time", arguments: "" } },
      { type: "tool_call", delta: { index: 0, arguments: 'ty":"Par' } },
      { type: "tool_call", delta: { index: 1, arguments: '{"tz":"CET"}' } },
      { type: "tool_call", delta: { index: 0, arguments: 'is"}' } },
      { type: "usage", usage: { inputTokens: 9, outputTokens: 7 } },
      { type: "finish", reason: "tool_calls", responseModel: "m-1" },
    ]);
  });

  it("says tool_calls when a later chunk says stop (peers overwrote it)", () => {
    const s = chunk(call(0, { name: "f", arguments: "{}" }, { id: "c", type: "function" })) + chunk({}, "tool_calls") + chunk({}, "stop") + DONE;
    expect(decode(wire, s).events.at(-1)).toEqual({ type: "finish", reason: "tool_calls", responseModel: "m-1" });
  });

  it("ends a call whose arguments never came with {} (no-arg tool)", () => {
    const s = chunk(call(0, { name: "now", arguments: "" }, { id: "c", type: "function" })) + chunk({}, "tool_calls") + DONE;
    const events = decode(wire, s).events;
    expect(joinedCalls(events)).toEqual([{ id: "c", name: "now", arguments: "{}" }]);
    expect(events.filter((e) => e.type === "tool_call")).toHaveLength(2);
  });

  it("splits Ollama's parallel calls that all come at index 0, told apart by their ids", () => {
    const s =
      chunk(call(0, { name: "run", arguments: '{"c":"ls"}' }, { id: "call_x", type: "function" })) +
      chunk(call(0, { name: "run", arguments: '{"c":"ls -l"}' }, { id: "call_y", type: "function" })) +
      chunk({ content: "" }, "stop") +
      DONE;
    const events = decodeEverywhere(s);
    expect(joinedCalls(events)).toEqual([
      { id: "call_x", name: "run", arguments: '{"c":"ls"}' },
      { id: "call_y", name: "run", arguments: '{"c":"ls -l"}' },
    ]);
    expect(events.at(-1)).toMatchObject({ reason: "tool_calls" });
  });

  it("continues a call when a server resends its id on every chunk, or sends a fresh id without a name", () => {
    const s =
      chunk(call(0, { name: "f", arguments: '{"a"' }, { id: "call_1", type: "function" })) +
      chunk(call(0, { arguments: ":1" }, { id: "call_1" })) +
      chunk(call(0, { arguments: "}" }, { id: "call_fresh" })) +
      chunk({}, "tool_calls") +
      DONE;
    expect(joinedCalls(decodeEverywhere(s))).toEqual([{ id: "call_1", name: "f", arguments: '{"a":1}' }]);
  });

  it("does not make a call of an empty tool_calls list next to text", () => {
    const s = chunk({ content: "Hi", tool_calls: [] }) + chunk({}, "stop") + DONE;
    expect(decode(wire, s).events).toEqual([
      { type: "delta", text: "Hi" },
      { type: "finish", reason: "stop", responseModel: "m-1" },
    ]);
  });

  it("reads whole calls without an index (Gemini's endpoint) as separate calls, with their thought signature", () => {
    const sig = { extra_content: { google: { thought_signature: "c2ln" } } };
    const s =
      `data: {"choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"id":"g1","type":"function","function":{"name":"a","arguments":"{}"},${JSON.stringify(sig).slice(1, -1)}}]}}],"model":"gemini-2.5-flash"}\n\n` +
      chunk({ tool_calls: [{ id: "g2", type: "function", function: { name: "b", arguments: '{"x":1}' } }] }, "stop") +
      DONE;
    const events = decodeEverywhere(s);
    expect(events.filter((e) => e.type === "tool_call")).toEqual([
      { type: "tool_call", delta: { index: 0, id: "g1", name: "a", arguments: "{}", signature: "c2ln" } },
      { type: "tool_call", delta: { index: 1, id: "g2", name: "b", arguments: '{"x":1}' } },
    ]);
  });

  it("holds arguments that arrive before the name and names an id-less call by its index", () => {
    const s = chunk(call(0, { arguments: '{"q":' })) + chunk(call(0, { name: "search", arguments: "1}" })) + chunk({}, "tool_calls") + DONE;
    expect(decode(wire, s).events.filter((e) => e.type === "tool_call")).toEqual([
      { type: "tool_call", delta: { index: 0, id: "call_0", name: "search", arguments: '{"q":1}' } },
    ]);
  });

  it("reports a call that never got a name as an invalid response", () => {
    const s = chunk(call(0, { arguments: "{}" }, { id: "c" })) + DONE;
    expect(decode(wire, s).error).toMatchObject({ kind: "invalid_response" });
  });
});

describe("openAiWire stream reasoning and refusal", () => {
  it("streams DeepSeek reasoning_content as reasoning, then one block of all of it before finish", () => {
    const s =
      chunk({ role: "assistant", content: null, reasoning_content: "" }) +
      chunk({ content: null, reasoning_content: "Compare" }) +
      chunk({ content: null, reasoning_content: " decimals." }) +
      chunk({ content: "9.8", reasoning_content: null }) +
      chunk({ content: "" }, "stop") +
      'data: {"choices":[],"model":"m-1","usage":{"prompt_tokens":5,"completion_tokens":8,"completion_tokens_details":{"reasoning_tokens":4}}}\n\n' +
      DONE;
    expect(decodeEverywhere(s)).toEqual([
      { type: "reasoning", text: "Compare" },
      { type: "reasoning", text: " decimals." },
      { type: "delta", text: "9.8" },
      { type: "usage", usage: { inputTokens: 5, outputTokens: 8, reasoningTokens: 4 } },
      { type: "reasoning_block", block: { format: "openai", text: "Compare decimals." } },
      { type: "finish", reason: "stop", responseModel: "m-1" },
    ]);
  });

  it("streams a refusal as refusal events", () => {
    const s = chunk({ role: "assistant", content: null, refusal: "" }) + chunk({ refusal: "I can't" }) + chunk({ refusal: " help." }) + chunk({}, "stop") + DONE;
    expect(decode(wire, s).events).toEqual([
      { type: "refusal", text: "I can't" },
      { type: "refusal", text: " help." },
      { type: "finish", reason: "stop", responseModel: "m-1" },
    ]);
  });

  it("emits no reasoning block for a stream cut before [DONE]", () => {
    const s = chunk({ reasoning_content: "Hm" }) + chunk(call(0, { name: "f", arguments: "" }, { id: "c" }));
    const r = decode(wire, s);
    expect(r.error).toMatchObject({ kind: "network" });
    expect(r.events.map((e) => e.type)).toEqual(["reasoning", "tool_call"]);
  });
});

import { describe, expect, it } from "vitest";
import { decode } from "../../../test/helpers/sse-decode.js";
import type { StreamEvent } from "../types.js";
import { geminiWire } from "./wire.js";

const wire = geminiWire({ now: () => 0, freshId: () => "fresh" });
const chunk = (body: unknown): string => `data: ${JSON.stringify(body)}\r\n\r\n`;
const usage = { promptTokenCount: 300, candidatesTokenCount: 20, thoughtsTokenCount: 40, totalTokenCount: 360, promptTokensDetails: [{ modality: "TEXT", tokenCount: 42 }, { modality: "IMAGE", tokenCount: 258 }] };
const candidate = (parts: unknown[], finishReason?: string): unknown => ({ candidates: [{ content: { role: "model", parts }, index: 0, ...(finishReason ? { finishReason } : {}) }], modelVersion: "gemini-3-flash", responseId: "r-1/x" });

describe("Gemini unary: tool calls, reasoning, image usage", () => {
  it("reads calls (ids given or made from responseId), signatures, thoughts, text, STOP -> tool_calls, image tokens", () => {
    const body = {
      ...(candidate(
        [
          { text: "Plan: look up both.", thought: true },
          { text: "Let me check." },
          { functionCall: { name: "get_weather", args: { city: "Paris" } }, thoughtSignature: "SIG" },
          { functionCall: { id: "given", name: "get_weather", args: { city: "Rome" } } },
          { functionCall: { name: "now" } },
        ],
        "STOP",
      ) as object),
      usageMetadata: usage,
    };
    expect(wire.parseResponse(JSON.stringify(body))).toEqual({
      text: "Let me check.",
      finishReason: "tool_calls",
      toolCalls: [
        { id: "call_r-1_x_0", name: "get_weather", arguments: '{"city":"Paris"}', signature: "SIG" },
        { id: "given", name: "get_weather", arguments: '{"city":"Rome"}' },
        { id: "call_r-1_x_2", name: "now", arguments: "{}" },
      ],
      reasoning: [{ format: "gemini", text: "Plan: look up both." }],
      responseModel: "gemini-3-flash",
      usage: { inputTokens: 300, outputTokens: 60, reasoningTokens: 40, imageInputTokens: 258 },
    });
  });

  it("keeps a signature that came on a text part as a reasoning block; ids differ across responses without responseId", () => {
    const r = wire.parseResponse(JSON.stringify(candidate([{ text: "Done.", thoughtSignature: "TXT" }], "STOP")));
    expect(r).toMatchObject({ text: "Done.", finishReason: "stop", reasoning: [{ format: "gemini", signature: "TXT" }] });
    let n = 0;
    const w = geminiWire({ now: () => 0, freshId: () => `f${++n}` });
    const noId = JSON.stringify({ candidates: [{ content: { role: "model", parts: [{ functionCall: { name: "a", args: {} } }] }, finishReason: "STOP" }] });
    expect(w.parseResponse(noId).toolCalls?.[0]?.id).toBe("call_f1_0");
    expect(w.parseResponse(noId).toolCalls?.[0]?.id).toBe("call_f2_0");
  });

  it("makes any call a tool_calls finish whatever the reason said", () => {
    expect(wire.parseResponse(JSON.stringify(candidate([{ functionCall: { name: "a", args: {} } }], "MAX_TOKENS"))).finishReason).toBe("tool_calls");
  });
});

// Parallel calls spread over chunks and in one chunk, thoughts, text between, a signature on an empty text part,
// and a last chunk saying STOP without calls (which must not turn tool_calls back into stop).
const STREAM =
  chunk(candidate([{ text: "Thinking about ", thought: true }])) +
  chunk(candidate([{ text: "weather.", thought: true }, { text: "Sure, " }])) +
  chunk(candidate([{ text: "checking." }, { functionCall: { name: "get_weather", args: { city: "Paris" } }, thoughtSignature: "SIG" }])) +
  chunk(candidate([{ functionCall: { name: "get_weather", args: { city: "Rome", days: [1, 2] } } }, { functionCall: { id: "g3", name: "now", args: {} } }])) +
  chunk(candidate([{ text: "", thoughtSignature: "TAIL" }])) +
  chunk({ ...(candidate([{ text: "" }], "STOP") as object), usageMetadata: usage });

const EXPECTED: StreamEvent[] = [
  { type: "reasoning", text: "Thinking about " },
  { type: "reasoning", text: "weather." },
  { type: "delta", text: "Sure, " },
  { type: "delta", text: "checking." },
  { type: "tool_call", delta: { index: 0, id: "call_r-1_x_0", name: "get_weather", arguments: '{"city":"Paris"}', signature: "SIG" } },
  { type: "tool_call", delta: { index: 1, id: "call_r-1_x_1", name: "get_weather", arguments: '{"city":"Rome","days":[1,2]}' } },
  { type: "tool_call", delta: { index: 2, id: "g3", name: "now", arguments: "{}" } },
  { type: "reasoning_block", block: { format: "gemini", signature: "TAIL" } },
  { type: "usage", usage: { inputTokens: 300, outputTokens: 60, reasoningTokens: 40, imageInputTokens: 258 } },
  { type: "finish", reason: "tool_calls", responseModel: "gemini-3-flash" },
];

describe("Gemini stream: whole function calls", () => {
  it("decodes each call as one delta with a fresh stream-wide index, the same at every byte boundary", () => {
    expect(decode(wire, STREAM)).toEqual({ events: EXPECTED });
    const n = new TextEncoder().encode(STREAM).length;
    for (let i = 1; i < n; i++) expect(decode(wire, STREAM, [i]), `split at ${i}`).toEqual({ events: EXPECTED });
    for (let i = 1; i < n; i += 37) expect(decode(wire, STREAM, [i, Math.min(n - 1, i + 5), Math.min(n - 1, i + 90)])).toEqual({ events: EXPECTED });
  });

  it("never gives two calls the same index, in one chunk or across chunks (litellm PR#11558, #16194)", () => {
    const calls = decode(wire, STREAM).events.flatMap((e) => (e.type === "tool_call" ? [e.delta] : []));
    expect(new Set(calls.map((c) => c.index)).size).toBe(calls.length);
    expect(new Set(calls.map((c) => c.id)).size).toBe(calls.length);
    // Every call is whole in its one delta: its arguments parse on their own, never concatenated with another's.
    for (const c of calls) expect(() => JSON.parse(c.arguments) as unknown).not.toThrow();
  });

  it("ends a call-only stream with tool_calls even when its finish chunk says STOP and carries no parts", () => {
    const s = chunk(candidate([{ functionCall: { name: "a" } }])) + chunk(candidate([], "STOP"));
    expect(decode(wire, s).events).toEqual([
      { type: "tool_call", delta: { index: 0, id: "call_r-1_x_0", name: "a", arguments: "{}" } },
      { type: "finish", reason: "tool_calls", responseModel: "gemini-3-flash" },
    ]);
  });
});

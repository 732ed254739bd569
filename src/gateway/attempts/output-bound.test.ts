/** The stop past max_tokens counts only output that carries tokens, and the answer size counts what a summary holds. */
import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../../providers/types.js";
import { answerBytes, OutputBound, outputLimit } from "./output-bound.js";
import type { ModelConfig } from "../../config/schema.js";

const delta = (text: string): StreamEvent => ({ type: "delta", text });
const NO_SIZE = 1 << 30;

function feed(bound: OutputBound, events: readonly StreamEvent[]): number | undefined {
  for (let i = 0; i < events.length; i++) {
    const ev = events[i];
    if (ev && bound.add(ev)) return i;
  }
  return undefined;
}

describe("OutputBound", () => {
  it("stops at the first output event past 2 x max_tokens + 64", () => {
    const bound = new OutputBound(10, NO_SIZE, false);
    expect(feed(bound, Array.from({ length: 200 }, () => delta("a")))).toBe(84);
  });

  it("does not count empty events, usage or finish", () => {
    const bound = new OutputBound(1, NO_SIZE, false);
    const noise: StreamEvent[] = [delta(""), { type: "usage", usage: { outputTokens: 1 } }, { type: "finish", reason: "stop" }, { type: "tool_call", delta: { index: 0, id: "c", name: "f", arguments: "" } }];
    expect(feed(bound, Array.from({ length: 500 }, (_, i) => noise[i % noise.length] as StreamEvent))).toBeUndefined();
  });

  it("stops on characters past 32 characters a token, whatever the events", () => {
    const bound = new OutputBound(10, NO_SIZE, false);
    // 84 tokens' worth at 32 characters each is 2688 characters: 3 events of 1000 pass it.
    expect(feed(bound, [delta("x".repeat(1000)), delta("x".repeat(1000)), delta("x".repeat(1000))])).toBe(2);
  });

  it("lets a long answer within max_tokens pass (4 characters a token, one token an event)", () => {
    const bound = new OutputBound(1000, NO_SIZE, false);
    expect(feed(bound, Array.from({ length: 1000 }, () => delta("word")))).toBeUndefined();
  });

  it("has no token stop without max_tokens or a context window", () => {
    const bound = new OutputBound(undefined, NO_SIZE, false);
    expect(feed(bound, Array.from({ length: 10_000 }, () => delta("a")))).toBeUndefined();
  });

  it("counts the summary's tool calls and reasoning blocks, and the text only when held", () => {
    const big = "y".repeat(600);
    expect(feed(new OutputBound(undefined, 2048, false), Array.from({ length: 10 }, () => delta(big)))).toBeUndefined();
    expect(feed(new OutputBound(undefined, 2048, true), Array.from({ length: 10 }, () => delta(big)))).toBe(1);
    const call: StreamEvent = { type: "tool_call", delta: { index: 0, arguments: big } };
    expect(new OutputBound(undefined, 2048, false).add(call)).toBeUndefined();
    const bound = new OutputBound(undefined, 2048, false);
    bound.add(call);
    expect(bound.add({ type: "reasoning_block", block: { format: "anthropic", text: big, signature: "s" } })).toMatchObject({ kind: "too_large" });
  });

  it("takes max_tokens, else the context window, as the limit", () => {
    const model = { contextWindow: 8000 } as ModelConfig;
    expect(outputLimit({ messages: [], params: { maxTokens: 5 } }, model)).toBe(5);
    expect(outputLimit({ messages: [], params: {} }, model)).toBe(8000);
  });
});

describe("answerBytes", () => {
  it("bounds an answer's encoding from above by its UTF-8 bytes and allowances", () => {
    const answer = { text: "é".repeat(1000), toolCalls: [{ id: "c", name: "f", arguments: "{}" }], refusal: undefined, reasoning: [], finishReason: "stop" as const, responseModel: undefined };
    const bytes = answerBytes(answer, 2);
    expect(bytes).toBeGreaterThanOrEqual(2000 + 4);
    expect(bytes).toBeLessThan(2000 + 4096);
  });
});

import { describe, expect, it } from "vitest";
import type { ChatMessage, ChatParams, UpstreamCall } from "../types.js";
import { anthropicWire } from "./wire.js";

const wire = anthropicWire({ now: () => 0 });

/** The JSON body the wire format sends for these messages and params. */
function body(messages: readonly ChatMessage[], params: ChatParams = {}): Record<string, unknown> {
  const call: UpstreamCall = { upstreamModel: "claude-sonnet-4-5", defaultMaxTokens: 1024, request: { messages, params } };
  return JSON.parse(wire.buildRequest(call, "sk-ant-test", false).body) as Record<string, unknown>;
}

const hi: ChatMessage = { role: "user", content: "Hi" };

describe("anthropicWire.buildRequest parameter limits", () => {
  it("clamps temperature to Anthropic's 0..1 and passes values inside the range unchanged", () => {
    expect(body([hi], { temperature: 2 })["temperature"]).toBe(1);
    expect(body([hi], { temperature: 1.3 })["temperature"]).toBe(1);
    expect(body([hi], { temperature: 1 })["temperature"]).toBe(1);
    expect(body([hi], { temperature: 0.7 })["temperature"]).toBe(0.7);
    expect(body([hi], { temperature: 0 })["temperature"]).toBe(0);
    expect(body([hi], {})).not.toHaveProperty("temperature");
  });
});

describe("anthropicWire.buildRequest message rules", () => {
  it("drops empty and whitespace-only turns (Anthropic rejects them, and a space too) and merges the turns they separated", () => {
    const messages: ChatMessage[] = [
      { role: "system", content: "  " },
      { role: "user", content: "One" },
      { role: "assistant", content: "" },
      { role: "user", content: "Two" },
      { role: "assistant", content: " \n\t" },
      { role: "user", content: "" },
    ];
    const b = body(messages);
    expect(b["messages"]).toEqual([{ role: "user", content: [{ type: "text", text: "One" }, { type: "text", text: "Two" }] }]);
    expect(b).not.toHaveProperty("system");
  });

  it("keeps text with surrounding whitespace as written, except the end of a final assistant prefill", () => {
    const b = body([
      { role: "user", content: "  indented\n" },
      { role: "assistant", content: "Sure. " },
      { role: "user", content: "Go on" },
      { role: "assistant", content: "Here is the list:\n" },
    ]);
    expect(b["messages"]).toEqual([
      { role: "user", content: "  indented\n" },
      { role: "assistant", content: "Sure. " },
      { role: "user", content: "Go on" },
      { role: "assistant", content: "Here is the list:" },
    ]);
  });

  it("trims only the last block of a merged final assistant turn", () => {
    const b = body([hi, { role: "assistant", content: "A " }, { role: "assistant", content: "B \n" }]);
    expect(b["messages"]).toEqual([
      { role: "user", content: "Hi" },
      { role: "assistant", content: [{ type: "text", text: "A " }, { type: "text", text: "B" }] },
    ]);
  });

  it("sends an assistant-first conversation as is: the Messages API accepts it", () => {
    const b = body([{ role: "assistant", content: "How can I help?" }, hi]);
    expect(b["messages"]).toEqual([
      { role: "assistant", content: "How can I help?" },
      { role: "user", content: "Hi" },
    ]);
  });
});

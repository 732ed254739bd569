import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { StreamCompleteResponseSchema } from "../../../../gen/llmgateway/v1/gateway_pb.js";
import type { StreamCompleteResponse } from "../../../../gen/llmgateway/v1/gateway_pb.js";
import { FinishReason } from "../../../../gen/llmgateway/v1/types_pb.js";
import { ChunkEncoder } from "./chat-stream.js";

const text = (t: string): StreamCompleteResponse => create(StreamCompleteResponseSchema, { event: { case: "delta", value: { text: t } } });
const call = (index: number, id: string, name: string, args: string): StreamCompleteResponse => create(StreamCompleteResponseSchema, { event: { case: "toolCall", value: { index, id, name, arguments: args } } });
const summary = (usage: boolean): StreamCompleteResponse =>
  create(StreamCompleteResponseSchema, {
    event: { case: "summary", value: { model: "gpt-4.1", provider: "openai", finishReason: FinishReason.TOOL_CALLS, requestId: "r1", ...(usage ? { usage: { inputTokens: 12n, outputTokens: 9n } } : {}) } },
  });

/** The data lines of the event text, parsed (except [DONE]). */
function events(out: string): unknown[] {
  return out
    .split("\n\n")
    .filter((e) => e.startsWith("data: "))
    .map((e) => e.slice(6))
    .map((d) => (d === "[DONE]" ? d : (JSON.parse(d) as unknown)));
}

describe("OpenAI chunk encoder", () => {
  it("writes TOOLS.md's reference sequence: role first, a call's first fragment with id/type/name, finish, usage, [DONE]", () => {
    const enc = new ChunkEncoder("chatcmpl-1", 1750000000, "auto", true, () => ({ cost_usd: "0.1" }));
    const out = [call(0, "call_a", "get_weather", ""), call(0, "", "", "{\"city\":\"Paris\"}"), call(1, "call_b", "get_time", "{}"), summary(true)].map((m) => enc.encode(m)).join("");
    const head = { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1750000000 };
    expect(events(out)).toEqual([
      { ...head, model: "auto", choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null, logprobs: null }] },
      { ...head, model: "auto", choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "get_weather", arguments: "" } }] }, finish_reason: null, logprobs: null }] },
      { ...head, model: "auto", choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: "{\"city\":\"Paris\"}" } }] }, finish_reason: null, logprobs: null }] },
      { ...head, model: "auto", choices: [{ index: 0, delta: { tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "get_time", arguments: "{}" } }] }, finish_reason: null, logprobs: null }] },
      { ...head, model: "gpt-4.1", choices: [{ index: 0, delta: {}, finish_reason: "tool_calls", logprobs: null }] },
      { ...head, model: "gpt-4.1", choices: [], usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 }, llmgateway: { cost_usd: "0.1" } },
      "[DONE]",
    ]);
  });

  it("puts the extras on the finish chunk without include_usage, and a usage of null when the provider reported none", () => {
    const plain = new ChunkEncoder("c", 1, "m", false, () => ({ attempts: 1 }));
    const a = events(plain.encode(text("hi")) + plain.encode(summary(false)));
    expect(a.at(-2)).toMatchObject({ choices: [{ finish_reason: "tool_calls" }], llmgateway: { attempts: 1 } });
    const usage = new ChunkEncoder("c", 1, "m", true, () => ({}));
    expect(events(usage.encode(summary(false))).at(-2)).toMatchObject({ choices: [], usage: null });
  });
});

import { describe, expect, it } from "vitest";
import { ImageDetail, ReasoningEffort, ResponseFormatType, ToolChoiceMode } from "../../../../gen/llmgateway/v1/content_pb.js";
import { Complexity, Role } from "../../../../gen/llmgateway/v1/types_pb.js";
import { DoorFault } from "../door-fault.js";
import { toChatRequest } from "./chat-request.js";

const EXTRAS = { tags: { team: "search" }, complexity: Complexity.SIMPLE, requestId: "r-1" };
const base = { model: "auto", messages: [{ role: "user", content: "hi" }] };

function refusal(body: unknown): DoorFault {
  try {
    toChatRequest(body, EXTRAS);
  } catch (err) {
    if (err instanceof DoorFault) return err;
    throw err;
  }
  throw new Error("accepted");
}

describe("OpenAI chat request -> CompleteRequest", () => {
  it("translates an agent turn: system, image, tool calls with signatures, results, reasoning sent back, tools and controls", () => {
    const { request, stream, includeUsage } = toChatRequest(
      {
        model: "auto",
        messages: [
          { role: "developer", content: [{ type: "text", text: "Be brief." }] },
          { role: "user", content: [{ type: "text", text: "Look" }, { type: "image_url", image_url: { url: "https://x.test/a.png", detail: "low" } }] },
          { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{\"a\":1}" }, llmgateway_signature: "sig" }], llmgateway_reasoning: [{ format: "anthropic", text: "hmm", signature: "s1" }] },
          { role: "tool", tool_call_id: "c1", content: "done" },
        ],
        max_completion_tokens: 50,
        max_tokens: 10,
        stop: "END",
        stream: true,
        stream_options: { include_usage: true },
        tools: [{ type: "function", function: { name: "f", parameters: { type: "object" }, strict: true } }],
        tool_choice: { type: "function", function: { name: "f" } },
        parallel_tool_calls: false,
        response_format: { type: "json_schema", json_schema: { name: "out", schema: { type: "object" }, strict: true } },
        reasoning_effort: "low",
        metadata: { team: "ignored-by-header", feature: "chat" },
        n: 1,
        presence_penalty: 0,
        user: "u-1",
      },
      EXTRAS,
    );
    expect([stream, includeUsage]).toEqual([true, true]);
    expect(request.messages.map((m) => m.role)).toEqual([Role.SYSTEM, Role.USER, Role.ASSISTANT, Role.TOOL]);
    expect(request.messages[0]?.content).toBe("Be brief.");
    const image = request.messages[1]?.parts[1]?.part;
    expect(image?.case === "image" ? [image.value.source.value, image.value.detail] : undefined).toEqual(["https://x.test/a.png", ImageDetail.LOW]);
    expect(request.messages[2]?.toolCalls[0]).toMatchObject({ id: "c1", name: "f", arguments: "{\"a\":1}", signature: "sig" });
    expect(request.messages[2]?.reasoning[0]).toMatchObject({ format: "anthropic", text: "hmm", signature: "s1" });
    expect(request.messages[3]).toMatchObject({ toolCallId: "c1", content: "done" });
    expect(request.maxTokens).toBe(50);
    expect(request.stop).toEqual(["END"]);
    expect(request.tools[0]).toMatchObject({ name: "f", parameters: "{\"type\":\"object\"}", strict: true });
    expect(request.toolChoice?.choice).toEqual({ case: "tool", value: "f" });
    expect(request.parallelToolCalls).toBe(false);
    expect(request.responseFormat).toMatchObject({ type: ResponseFormatType.JSON_SCHEMA, name: "out", schema: "{\"type\":\"object\"}", strict: true });
    expect(request.reasoning?.effort).toBe(ReasoningEffort.LOW);
    expect(request.tags).toEqual({ team: "search", feature: "chat" });
    expect([request.complexity, request.requestId]).toEqual([Complexity.SIMPLE, "r-1"]);
  });

  it("takes DeepSeek's reasoning_content back as an openai reasoning block, and tool_choice modes", () => {
    const { request } = toChatRequest({ ...base, messages: [...base.messages, { role: "assistant", content: "x", reasoning_content: "think" }], tool_choice: "required" }, EXTRAS);
    expect(request.messages[1]?.reasoning).toMatchObject([{ format: "openai", text: "think" }]);
    expect(request.toolChoice?.choice).toEqual({ case: "mode", value: ToolChoiceMode.REQUIRED });
  });

  it("refuses what it cannot honour, naming the field, rather than dropping it", () => {
    expect(refusal({ ...base, n: 3 }).param).toBe("n");
    expect(refusal({ ...base, frequency_penalty: 0.5 }).param).toBe("frequency_penalty");
    expect(refusal({ ...base, logprobs: true }).param).toBe("logprobs");
    expect(refusal({ ...base, functions: [] }).param).toBe("functions");
    expect(refusal({ ...base, audio: {} }).param).toBe("audio");
    expect(refusal({ ...base, tools: [{ type: "custom", custom: {} }] }).param).toBe("tools[0].type");
    expect(refusal({ ...base, messages: [{ role: "user", content: [{ type: "input_audio" }] }] }).param).toBe("messages[0].content[0].type");
    expect(refusal({ ...base, response_format: { type: "grammar" } }).param).toBe("response_format.type");
    expect(refusal({ ...base, reasoning_effort: "max" }).param).toBe("reasoning_effort");
  });

  it("names wrong types and unknown fields", () => {
    expect(refusal([]).param).toBe("body");
    expect(refusal({ messages: [] }).param).toBe("model");
    expect(refusal({ model: "m" }).param).toBe("messages");
    expect(refusal({ ...base, max_tokens: -1 }).param).toBe("max_tokens");
    expect(refusal({ ...base, stream: "yes" }).param).toBe("stream");
    expect(refusal({ ...base, messages: [{ role: "tool", content: "x" }] }).param).toBe("messages[0].tool_call_id");
    expect(refusal({ ...base, metadata: { a: 1 } }).param).toBe("metadata.a");
    const unknown = refusal({ ...base, temprature: 1 });
    expect([unknown.status, unknown.param, unknown.message]).toEqual([400, "temprature", "temprature: unrecognized request argument supplied"]);
  });
});

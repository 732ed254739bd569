/** CompleteResponse -> Anthropic message JSON, and refusals in Anthropic's error shape, on literal fixtures. */
import { fromJson } from "@bufbuild/protobuf";
import type { JsonObject } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { CompleteResponseSchema } from "../../../../gen/llmgateway/v1/gateway_pb.js";
import { DoorFault } from "../door-fault.js";
import { anthropicMessage, errorBody, errorHeaders, errorType } from "./errors.js";
import { toAnthropicMessage } from "./response.js";

const response = (json: JsonObject) => fromJson(CompleteResponseSchema, { requestId: "req-1", model: "claude", provider: "anth", ...json });

describe("an answer as an Anthropic message", () => {
  it("puts thinking, text and tool_use blocks in order, input parsed, and Anthropic's usage (cache counts out of input)", () => {
    const res = response({
      text: "Let me check.",
      finishReason: "FINISH_REASON_TOOL_CALLS",
      toolCalls: [{ id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}' }, { id: "toolu_2", name: "now", arguments: "" }],
      reasoning: [{ format: "anthropic", text: "Think.", signature: "sig_a" }, { format: "anthropic", redacted: "enc" }, { format: "gemini", signature: "g1" }],
      usage: { inputTokens: "100", outputTokens: "20", cachedInputTokens: "30", cacheWriteTokens: "10" },
    });
    expect(toAnthropicMessage(res)).toEqual({
      id: "msg_req1",
      type: "message",
      role: "assistant",
      model: "claude",
      content: [
        { type: "thinking", thinking: "Think.", signature: "sig_a" },
        { type: "redacted_thinking", data: "enc" },
        { type: "thinking", thinking: "", signature: "llmgateway:gemini:g1" },
        { type: "text", text: "Let me check." },
        { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
        { type: "tool_use", id: "toolu_2", name: "now", input: {} },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: { input_tokens: 60, cache_creation_input_tokens: 10, cache_read_input_tokens: 30, output_tokens: 20 },
    });
  });

  it("carries a tool call's own signature (Gemini's) in an empty thinking block", () => {
    const res = response({ finishReason: "FINISH_REASON_TOOL_CALLS", toolCalls: [{ id: "call_1", name: "f", arguments: "{}", signature: "c2ln" }, { id: "call_2", name: "g", arguments: "{}" }] });
    const carrier = `llmgateway:call:${Buffer.from(JSON.stringify(["call_1", "c2ln"])).toString("base64url")}`;
    expect(toAnthropicMessage(res)["content"]).toEqual([
      { type: "thinking", thinking: "", signature: carrier },
      { type: "tool_use", id: "call_1", name: "f", input: {} },
      { type: "tool_use", id: "call_2", name: "g", input: {} },
    ]);
  });

  it("maps the finish reasons, shows a refusal as text, and leaves unknown counts out", () => {
    expect(toAnthropicMessage(response({ text: "a", finishReason: "FINISH_REASON_STOP" }))["stop_reason"]).toBe("end_turn");
    expect(toAnthropicMessage(response({ text: "a", finishReason: "FINISH_REASON_LENGTH" }))["stop_reason"]).toBe("max_tokens");
    expect(toAnthropicMessage(response({ text: "a", finishReason: "FINISH_REASON_OTHER" }))["stop_reason"]).toBe("end_turn");
    // A provider that said "stop" while calling tools still gives tool_use (TOOLS.md section 10).
    expect(toAnthropicMessage(response({ finishReason: "FINISH_REASON_STOP", toolCalls: [{ id: "c", name: "f", arguments: "{}" }] }))["stop_reason"]).toBe("tool_use");
    const refused = toAnthropicMessage(response({ refusal: "I can't help with that.", finishReason: "FINISH_REASON_CONTENT_FILTER", usage: { outputTokens: "5" } }));
    expect(refused["stop_reason"]).toBe("refusal");
    expect(refused["content"]).toEqual([{ type: "text", text: "I can't help with that." }]);
    expect(refused["usage"]).toEqual({ cache_creation_input_tokens: null, cache_read_input_tokens: null, output_tokens: 5 });
  });
});

describe("refusals in Anthropic's shape", () => {
  it("gives each status its Anthropic error type", () => {
    const types = [400, 401, 403, 404, 413, 429, 500, 503, 504, 529, 418, 502].map(errorType);
    expect(types).toEqual(["invalid_request_error", "authentication_error", "permission_error", "not_found_error", "request_too_large", "rate_limit_error", "api_error", "api_error", "timeout_error", "overloaded_error", "invalid_request_error", "api_error"]);
  });

  it("writes the body and headers: request id, retry-after when known, no retry for a spent budget", () => {
    const limited = new DoorFault(429, Code.ResourceExhausted, "client key batch is over its limit of 2 requests per minute; retry in 3 s", null, 3, "key_rpm");
    expect(errorBody(limited, "r9")).toEqual({ type: "error", error: { type: "rate_limit_error", message: "client key batch is over its limit of 2 requests per minute; retry in 3 s" }, request_id: "r9" });
    expect(errorHeaders(limited, "r9")).toEqual({ "content-type": "application/json", "request-id": "r9", "x-request-id": "r9", "retry-after": "3", "retry-after-ms": "3000" });
    const broke = new DoorFault(429, Code.ResourceExhausted, "monthly budget key:app is spent", null, undefined, "budget_exceeded");
    expect(errorHeaders(broke, "r9")["x-should-retry"]).toBe("false");
    expect(errorHeaders(limited, "r9")["x-should-retry"]).toBeUndefined();
  });

  it("names the Anthropic field a service message names in the contract's terms", () => {
    const at = ["system", "messages.0", "messages.1", "messages.2.content.0", "messages.2.content.1"];
    expect(anthropicMessage("messages[4].tool_call_id: names no tool call of an earlier assistant message", at)).toBe("messages.2.content.1.tool_use_id: names no tool call of an earlier assistant message");
    expect(anthropicMessage("messages[1].parts[1].image.url: must be an http(s) URL", at)).toBe("messages.0.parts.1.image.url: must be an http(s) URL");
    expect(anthropicMessage("stop[0]: must be 1 to 64 characters", at)).toBe("stop_sequences.0: must be 1 to 64 characters");
    expect(anthropicMessage("tools[2].name: must be a tool name", at)).toBe("tools.2.name: must be a tool name");
    expect(anthropicMessage("response_format.schema: is not valid", at)).toBe("output_config.format.schema: is not valid");
    expect(anthropicMessage("all 3 attempt(s) failed: ...", at)).toBe("all 3 attempt(s) failed: ...");
  });
});

/** Anthropic Messages requests -> CompleteRequest, on literal JSON fixtures, and the 400s naming the field. */
import { toJson } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { CompleteRequestSchema } from "../../../../gen/llmgateway/v1/gateway_pb.js";
import { Complexity } from "../../../../gen/llmgateway/v1/types_pb.js";
import { DoorFault } from "../door-fault.js";
import { toDoorRequest } from "./request.js";

const EXTRAS = { tags: { team: "a" }, complexity: Complexity.SIMPLE, requestId: "r1" };
const translate = (body: unknown) => {
  const d = toDoorRequest(body, EXTRAS);
  return { json: toJson(CompleteRequestSchema, d.request) as Record<string, unknown>, stream: d.stream, at: d.at };
};
const refusal = (body: unknown): string => {
  try {
    toDoorRequest(body, EXTRAS);
  } catch (err) {
    if (err instanceof DoorFault) return `${err.status} ${err.message}`;
    throw err;
  }
  return "accepted";
};
const BASE = { model: "claude", max_tokens: 100, messages: [{ role: "user", content: "hi" }] };

describe("an Anthropic request", () => {
  it("maps a tool loop with thinking, images, system blocks and every control", () => {
    const body = {
      model: "claude",
      max_tokens: 4096,
      system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }, { type: "text", text: "Use metric units." }],
      messages: [
        { role: "user", content: [{ type: "text", text: "Weather here?" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } }, { type: "image", source: { type: "url", url: "https://x.test/a.jpg" } }] },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "Look it up.", signature: "sig_1" },
            { type: "redacted_thinking", data: "enc" },
            { type: "text", text: "Checking." },
            { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
            { type: "tool_use", id: "toolu_2", name: "get_time", input: {} },
          ],
        },
        { role: "user", content: [{ type: "text", text: "Thanks" }, { type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "text", text: "18C" }, { type: "text", text: " sunny" }] }, { type: "tool_result", tool_use_id: "toolu_2", content: "boom", is_error: true }] },
      ],
      temperature: 0.5,
      top_p: 0.9,
      stop_sequences: ["END"],
      tools: [{ name: "get_weather", description: "Weather", input_schema: { type: "object", properties: { city: { type: "string" } } }, strict: true }, { type: "custom", name: "get_time", input_schema: { type: "object" } }],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
      thinking: { type: "enabled", budget_tokens: 2048 },
      metadata: { user_id: "u1" },
      stream: true,
    };
    const { json, stream, at } = translate(body);
    expect(stream).toBe(true);
    expect(json).toEqual({
      model: "claude",
      messages: [
        { role: "ROLE_SYSTEM", content: "Be brief.\n\nUse metric units." },
        { role: "ROLE_USER", parts: [{ text: "Weather here?" }, { image: { url: "data:image/png;base64,iVBORw0KGgo=", mediaType: "image/png" } }, { image: { url: "https://x.test/a.jpg" } }] },
        {
          role: "ROLE_ASSISTANT",
          content: "Checking.",
          toolCalls: [{ id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}' }, { id: "toolu_2", name: "get_time", arguments: "{}" }],
          reasoning: [{ format: "anthropic", text: "Look it up.", signature: "sig_1" }, { format: "anthropic", redacted: "enc" }],
        },
        { role: "ROLE_TOOL", parts: [{ text: "18C" }, { text: " sunny" }], toolCallId: "toolu_1" },
        { role: "ROLE_TOOL", content: "boom", toolCallId: "toolu_2", isError: true },
        { role: "ROLE_USER", content: "Thanks" },
      ],
      maxTokens: 4096,
      temperature: 0.5,
      topP: 0.9,
      stop: ["END"],
      complexity: "COMPLEXITY_SIMPLE",
      tags: { team: "a" },
      requestId: "r1",
      tools: [{ name: "get_weather", description: "Weather", parameters: '{"type":"object","properties":{"city":{"type":"string"}}}', strict: true }, { name: "get_time", parameters: '{"type":"object"}' }],
      toolChoice: { mode: "TOOL_CHOICE_MODE_REQUIRED" },
      parallelToolCalls: false,
      reasoning: { budgetTokens: 2048 },
    });
    // Where each contract message came from, to name Anthropic's fields in the service's errors.
    expect(at).toEqual(["system", "messages.0", "messages.1", "messages.2.content.1", "messages.2.content.2", "messages.2"]);
  });

  it("maps a JSON-schema output format, a named tool choice, adaptive thinking and effort", () => {
    const schema = { type: "object", properties: { a: { type: "string" } }, required: ["a"] };
    const { json } = translate({ ...BASE, output_config: { format: { type: "json_schema", schema }, effort: "high" }, tool_choice: { type: "tool", name: "get_weather" }, tools: [{ name: "get_weather", input_schema: { type: "object" } }], thinking: { type: "adaptive" } });
    expect(json["responseFormat"]).toEqual({ type: "RESPONSE_FORMAT_TYPE_JSON_SCHEMA", name: "response", schema: JSON.stringify(schema), strict: true });
    expect(json["toolChoice"]).toEqual({ tool: "get_weather" });
    expect(json["reasoning"]).toEqual({ effort: "REASONING_EFFORT_HIGH" });
    expect(translate({ ...BASE, output_format: { type: "json_schema", schema } }).json["responseFormat"]).toMatchObject({ schema: JSON.stringify(schema) });
    expect(translate({ ...BASE, thinking: { type: "disabled" } }).json["reasoning"]).toEqual({ effort: "REASONING_EFFORT_NONE" });
  });

  it("returns thinking blocks of another wire format to that format", () => {
    const messages = [BASE.messages[0], { role: "assistant", content: [{ type: "thinking", thinking: "hmm", signature: "llmgateway:openai:" }, { type: "redacted_thinking", data: "llmgateway:gemini:c2ln" }, { type: "text", text: "ok" }] }, { role: "user", content: "go on" }];
    const reasoning = (translate({ ...BASE, messages }).json["messages"] as Array<Record<string, unknown>>)[1]?.["reasoning"];
    expect(reasoning).toEqual([{ format: "openai", text: "hmm" }, { format: "gemini", redacted: "c2ln" }]);
  });

  it("gives a tool call its own signature back from its thinking block, and drops shown-only thinking", () => {
    const carrier = `llmgateway:call:${Buffer.from(JSON.stringify(["call_1", "c2ln"])).toString("base64url")}`;
    const content = [
      { type: "thinking", thinking: "Shown.", signature: "llmgateway:shown:" },
      { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Rome" } },
      { type: "thinking", thinking: "", signature: carrier },
    ];
    const messages = [BASE.messages[0], { role: "assistant", content }, { role: "user", content: [{ type: "tool_result", tool_use_id: "call_1", content: "21C" }] }];
    const assistant = (translate({ ...BASE, messages }).json["messages"] as Array<Record<string, unknown>>)[1];
    expect(assistant).toEqual({ role: "ROLE_ASSISTANT", toolCalls: [{ id: "call_1", name: "get_weather", arguments: '{"city":"Rome"}', signature: "c2ln" }] });
  });

  it("refuses what Anthropic refuses, naming the field in Anthropic's style", () => {
    expect(refusal({ ...BASE, max_tokens: undefined })).toBe("400 max_tokens: Field required");
    expect(refusal({ model: "claude", max_tokens: 5 })).toBe("400 messages: Field required");
    expect(refusal({ ...BASE, max_tokens: 1.5 })).toBe("400 max_tokens: Input should be a valid integer");
    expect(refusal({ ...BASE, max_tokens: 0 })).toBe("400 max_tokens: Input should be greater than or equal to 1");
    expect(refusal({ ...BASE, n: 2 })).toBe("400 n: Extra inputs are not permitted");
    expect(refusal({ ...BASE, mcp_servers: [] })).toBe("400 mcp_servers: is not supported by the gateway");
    expect(refusal({ ...BASE, top_k: 40 })).toBe("400 top_k: is not supported by the gateway");
    expect(refusal({ ...BASE, metadata: { user_id: 7 } })).toBe("400 metadata.user_id: Input should be a valid string");
    expect(refusal({ ...BASE, metadata: { team: "a" } })).toBe("400 metadata.team: Extra inputs are not permitted");
    expect(refusal({ ...BASE, temperature: "hot" })).toBe("400 temperature: Input should be a valid number");
    expect(refusal({ ...BASE, messages: [] })).toBe("400 messages: List should have at least 1 item after validation, not 0");
    expect(refusal({ ...BASE, messages: [{ role: "user", content: [{ type: "document", source: {} }] }] })).toMatch(/^400 messages\.0\.content\.0\.type: content blocks of type 'document' are not supported/);
    expect(refusal({ ...BASE, messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/bmp", data: "AA==" } }] }] })).toBe("400 messages.0.content.0.source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif', 'image/webp'");
    expect(refusal({ ...BASE, messages: [{ role: "user", content: [{ type: "tool_use", id: "t", name: "n", input: {} }] }] })).toBe("400 messages.0.content.0.type: tool_use blocks are allowed in assistant messages only");
    expect(refusal({ ...BASE, messages: [{ role: "assistant", content: [{ type: "tool_use", id: "t", name: "n", input: "{}" }] }] })).toBe("400 messages.0.content.0.input: Input should be a valid dictionary or object");
    expect(refusal({ ...BASE, tools: [{ type: "web_search_20250305", name: "web_search" }] })).toMatch(/^400 tools\.0\.type: server tools/);
    expect(refusal({ ...BASE, tools: [{ name: "f" }] })).toBe("400 tools.0.input_schema: Field required");
    expect(refusal({ ...BASE, tool_choice: { type: "none", disable_parallel_tool_use: true } })).toBe("400 tool_choice.disable_parallel_tool_use: Extra inputs are not permitted");
    expect(refusal({ ...BASE, thinking: { type: "enabled", budget_tokens: 512 } })).toBe("400 thinking.budget_tokens: Input should be greater than or equal to 1024");
    expect(refusal({ ...BASE, thinking: { type: "enabled", budget_tokens: 2048 } })).toBe("400 max_tokens: must be greater than thinking.budget_tokens");
    expect(refusal({ ...BASE, output_format: { type: "json_schema", schema: {} }, output_config: { format: { type: "json_schema", schema: {} } } })).toMatch(/^400 output_format: /);
    expect(refusal({ ...BASE, stream: "yes" })).toBe("400 stream: Input should be a valid boolean");
  });
});

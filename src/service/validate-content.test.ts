/** Bad tools, schemas, images and tool loops are refused with INVALID_ARGUMENT naming the field, before any call. */
import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { CompleteRequestSchema } from "../../gen/llmgateway/v1/gateway_pb.js";
import { ResponseFormatType, ToolChoiceMode } from "../../gen/llmgateway/v1/content_pb.js";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import { toGatewayRequest } from "./validate.js";

type Init = MessageInitShape<typeof CompleteRequestSchema>;
const user = { role: Role.USER, content: "What is the weather in Paris?" };
const weather = { name: "get_weather", parameters: JSON.stringify({ type: "object", properties: { city: { type: "string" } }, required: ["city"] }) };
const call = { id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' };
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);

function refusal(init: Init): string {
  try {
    toGatewayRequest(create(CompleteRequestSchema, { model: "m", ...init }));
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.InvalidArgument);
    return (err as ConnectError).rawMessage;
  }
  throw new Error("the request was accepted");
}

describe("request validation of tools, formats, images and tool loops", () => {
  it.each<[string, Init, string]>([
    ["a schema that is not JSON", { messages: [user], tools: [{ name: "t", parameters: "{oops" }] }, "tools[0].parameters: is not JSON"],
    ["a schema that is not JSON Schema", { messages: [user], tools: [{ name: "t", parameters: '{"type":"object","properties":{"a":{"type":"strin"}}}' }] }, "tools[0].parameters: is not valid JSON Schema"],
    ["a non-object tool schema", { messages: [user], tools: [{ name: "t", parameters: '{"type":"array"}' }] }, "tools[0].parameters.type"],
    ["a tool schema whose root may be anything", { messages: [user], tools: [{ name: "t", parameters: '{"anyOf":[{"type":"string"}]}' }] }, "tools[0].parameters.type"],
    ["is_error on a user message", { messages: [{ ...user, isError: true }] }, "messages[0].is_error"],
    ["a tool name providers reject", { messages: [user], tools: [{ name: "get.weather" }] }, "tools[0].name"],
    ["a tool name too long", { messages: [user], tools: [{ name: "x".repeat(65) }] }, "tools[0].name"],
    ["duplicate tool names", { messages: [user], tools: [weather, weather] }, 'tools[1].name: repeats the tool name "get_weather"'],
    ["a choice naming an undeclared tool", { messages: [user], tools: [weather], toolChoice: { choice: { case: "tool", value: "get_time" } } }, "tool_choice.tool: names no declared tool"],
    ["required with no tools", { messages: [user], toolChoice: { choice: { case: "mode", value: ToolChoiceMode.REQUIRED } } }, "tool_choice.mode"],
    ["parallel calls with no tools", { messages: [user], parallelToolCalls: false }, "parallel_tool_calls"],
    ["a result for an unknown call id", { messages: [user, { role: Role.TOOL, toolCallId: "call_9", content: "18C" }] }, "messages[1].tool_call_id: names no tool call"],
    ["a result with no id", { messages: [user, { role: Role.ASSISTANT, toolCalls: [call] }, { role: Role.TOOL, content: "18C" }] }, "messages[2].tool_call_id: is required"],
    ["a call left unanswered", { messages: [user, { role: Role.ASSISTANT, toolCalls: [call] }, user] }, 'messages[2]: tool call "call_1" of messages[1] has no ROLE_TOOL result'],
    ["call arguments that are not an object", { messages: [user, { role: Role.ASSISTANT, toolCalls: [{ ...call, arguments: "[1]" }] }, { role: Role.TOOL, toolCallId: "call_1", content: "x" }] }, "messages[1].tool_calls[0].arguments: must be a JSON object"],
    ["tool calls on a user message", { messages: [{ ...user, toolCalls: [call] }] }, "messages[0].tool_calls"],
    ["content and parts both", { messages: [{ ...user, parts: [{ part: { case: "text", value: "hi" } }] }] }, "messages[0].parts: set content or parts, not both"],
    ["an image of an unsupported type", { messages: [{ role: Role.USER, parts: [{ part: { case: "image", value: { source: { case: "data", value: PNG }, mediaType: "image/tiff" } } }] }] }, "messages[0].parts[0].image.media_type"],
    ["image bytes with no media type", { messages: [{ role: Role.USER, parts: [{ part: { case: "image", value: { source: { case: "data", value: PNG } } } }] }] }, "messages[0].parts[0].image.media_type: is required"],
    ["an image over the size limit", { messages: [{ role: Role.USER, parts: [{ part: { case: "image", value: { source: { case: "data", value: new Uint8Array(20 * 1024 * 1024 + 1) }, mediaType: "image/png" } } }] }] }, "messages[0].parts[0].image.data: an image may be at most"],
    ["a data URL of another type", { messages: [{ role: Role.USER, parts: [{ part: { case: "image", value: { source: { case: "url", value: "data:image/svg+xml;base64,PHN2Zz4=" } } } }] }] }, "messages[0].parts[0].image.url"],
    ["a URL that is not http", { messages: [{ role: Role.USER, parts: [{ part: { case: "image", value: { source: { case: "url", value: "file:///etc/passwd" } } } }] }] }, "messages[0].parts[0].image.url"],
    ["an image in an assistant message", { messages: [user, { role: Role.ASSISTANT, parts: [{ part: { case: "image", value: { source: { case: "url", value: "https://x.test/a.png" } } } }] }] }, "messages[1].parts[0]: images are allowed in user messages only"],
    ["a response schema that is not JSON Schema", { messages: [user], responseFormat: { type: ResponseFormatType.JSON_SCHEMA, schema: '{"required":"name"}' } }, "response_format.schema: is not valid JSON Schema"],
    ["a schema with a JSON_OBJECT format", { messages: [user], responseFormat: { type: ResponseFormatType.JSON_OBJECT, schema: '{"type":"object"}' } }, "response_format.schema: schema, name and strict apply only"],
    ["a JSON_SCHEMA format without a schema", { messages: [user], responseFormat: { type: ResponseFormatType.JSON_SCHEMA } }, "response_format.schema: is required"],
    ["reasoning blocks of an unknown format", { messages: [user, { role: Role.ASSISTANT, content: "hi", reasoning: [{ format: "bedrock", text: "x" }] }, user] }, "messages[1].reasoning[0].format"],
  ])("refuses %s", (_name, init, expected) => {
    expect(refusal(init)).toContain(expected);
  });

  it("translates a whole tool loop with an image, a schema and reasoning", () => {
    const req = toGatewayRequest(
      create(CompleteRequestSchema, {
        model: "m",
        messages: [
          { role: Role.USER, parts: [{ part: { case: "text", value: "What is in " } }, { part: { case: "image", value: { source: { case: "url", value: "data:image/png;base64,iVBORw==" } } } }] },
          { role: Role.ASSISTANT, toolCalls: [call], reasoning: [{ format: "anthropic", text: "Think", signature: "sig" }] },
          { role: Role.TOOL, toolCallId: "call_1", content: "18C", isError: true },
        ],
        tools: [weather],
        toolChoice: { choice: { case: "mode", value: ToolChoiceMode.REQUIRED } },
        parallelToolCalls: false,
        responseFormat: { type: ResponseFormatType.JSON_SCHEMA, schema: '{"type":"object"}', strict: true },
        reasoning: { budgetTokens: 2048 },
      }),
    );
    const [first, second, third] = req.chat.messages;
    expect(first?.content).toBe("What is in ");
    expect(first?.parts?.[1]).toEqual({ type: "image", image: { kind: "base64", data: "iVBORw==", mediaType: "image/png" } });
    expect(second?.toolCalls).toEqual([call]);
    expect(second?.reasoning).toEqual([{ format: "anthropic", text: "Think", signature: "sig" }]);
    expect(third).toMatchObject({ role: "tool", toolCallId: "call_1", isError: true, content: "18C" });
    expect(req.chat.tools?.[0]?.parameters).toEqual(JSON.parse(weather.parameters));
    expect(req.chat.toolChoice).toEqual({ mode: "required" });
    expect(req.chat.parallelToolCalls).toBe(false);
    expect(req.chat.responseFormat).toEqual({ type: "json_schema", name: "response", schema: { type: "object" }, strict: true, skipValidation: false });
    expect(req.chat.reasoning).toEqual({ budgetTokens: 2048 });
  });
});

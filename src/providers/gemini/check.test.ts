import { describe, expect, it } from "vitest";
import type { ChatMessage, ChatRequest } from "../types.js";
import { checkGemini } from "./check.js";

const user = (parts: ChatMessage["parts"]): ChatMessage => ({ role: "user", content: "", parts });
const req = (messages: ChatMessage[], extra: Partial<ChatRequest> = {}): ChatRequest => ({ messages, params: {}, ...extra });
const png = { type: "image" as const, image: { kind: "base64" as const, data: "iVBORw0KGgo=", mediaType: "image/png" } };

describe("checkGemini", () => {
  it("takes plain text, inline png/jpeg/webp/heic/heif images, tool loops, schemas, strict tools and parallel off", () => {
    const types = ["image/png", "image/jpeg", "image/webp", "image/heic", "image/HEIF"];
    const r = req(
      [
        { role: "system", content: "s" },
        user([{ type: "text", text: "look" }, ...types.map((mediaType) => ({ type: "image" as const, image: { kind: "base64" as const, data: "AAAA", mediaType } }))]),
        { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "f", arguments: '{"a":1}' }, { id: "c2", name: "f", arguments: "" }] },
        { role: "tool", content: "ok", toolCallId: "c1" },
        { role: "tool", content: "ok", toolCallId: "c2", isError: true },
      ],
      {
        tools: [{ name: "f", strict: true, parameters: { type: "object", properties: { a: { type: "integer", const: 1 } }, additionalProperties: false } }],
        parallelToolCalls: false,
        responseFormat: { type: "json_schema", name: "r", schema: { oneOf: [{ type: "string", pattern: "x" }] }, strict: true, skipValidation: false },
        reasoning: { effort: "high" },
      },
    );
    expect(checkGemini(r)).toBeUndefined();
  });

  it("refuses image URLs (not fetched for Gemini) and gif, at the contract's field path", () => {
    expect(checkGemini(req([{ role: "user", content: "" }, user([{ type: "text", text: "x" }, { type: "image", image: { kind: "url", url: "https://x/y.png" } }])]))).toEqual({
      field: "messages[1].parts[1].image.url",
      reason: expect.stringContaining("inline") as unknown,
    });
    expect(checkGemini(req([user([{ type: "image", image: { kind: "base64", data: "R0lG", mediaType: "image/gif" } }])]))).toMatchObject({
      field: "messages[0].parts[0].image.media_type",
    });
  });

  it("refuses 20 MB or more of inline images in one request, at the image that crosses the line", () => {
    const big = { type: "image" as const, image: { kind: "base64" as const, data: "A".repeat(14 * 1024 * 1024), mediaType: "image/png" } };
    expect(checkGemini(req([user([big]), user([png])]))).toBeUndefined();
    expect(checkGemini(req([user([big]), user([png, big])]))).toMatchObject({ field: "messages[1].parts[1].image.data" });
  });

  it("refuses images in system or tool turns, arguments that are not an object, and a result of no earlier call", () => {
    expect(checkGemini(req([{ role: "system", content: "", parts: [png] }]))).toMatchObject({ field: "messages[0].parts[0]" });
    const call = (args: string): ChatMessage => ({ role: "assistant", content: "", toolCalls: [{ id: "c", name: "f", arguments: args }] });
    expect(checkGemini(req([user([png]), call("[1]")]))).toMatchObject({ field: "messages[1].tool_calls[0].arguments" });
    expect(checkGemini(req([user([png]), call("{")]))).toMatchObject({ field: "messages[1].tool_calls[0].arguments" });
    expect(checkGemini(req([call("{}"), { role: "tool", content: "r", toolCallId: "other" }]))).toMatchObject({ field: "messages[1].tool_call_id" });
  });

  it("names the schema keyword that has no Gemini equivalent under tools or response_format", () => {
    const two = { allOf: [{ type: "object" }, { required: ["a"] }] };
    expect(checkGemini(req([], { tools: [{ name: "a" }, { name: "b", parameters: { type: "object", properties: { p: two } } }] }))).toMatchObject({
      field: "tools[1].parameters.properties.p.allOf",
    });
    expect(checkGemini(req([], { responseFormat: { type: "json_schema", name: "r", schema: two, strict: false, skipValidation: false } }))).toMatchObject({
      field: "response_format.schema.allOf",
    });
  });
});

import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../types.js";
import { geminiWire } from "./wire.js";

const wire = geminiWire({ now: () => 0 });
const body = (request: ChatRequest): unknown => JSON.parse(wire.buildRequest({ upstreamModel: "gemini-3-flash", defaultMaxTokens: 1, request }, "k", false).body);

describe("Gemini request: tools", () => {
  it("declares tools with parametersJsonSchema (converted), none for a no-argument tool, and maps each tool choice", () => {
    const tools = [
      { name: "get_weather", description: "Weather now", strict: true, parameters: { $schema: "x", type: "object", properties: { city: { type: "string", const: "Paris" } }, required: ["city"], additionalProperties: false } },
      { name: "now" },
    ];
    const choices = [
      [{ mode: "auto" }, { functionCallingConfig: { mode: "AUTO" } }],
      [{ mode: "none" }, { functionCallingConfig: { mode: "NONE" } }],
      [{ mode: "required" }, { functionCallingConfig: { mode: "ANY" } }],
      [{ mode: "tool", name: "now" }, { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["now"] } }],
    ] as const;
    for (const [toolChoice, toolConfig] of choices) {
      expect(body({ messages: [{ role: "user", content: "Hi" }], params: {}, tools, toolChoice, parallelToolCalls: false })).toEqual({
        contents: [{ role: "user", parts: [{ text: "Hi" }] }],
        tools: [
          {
            functionDeclarations: [
              {
                name: "get_weather",
                description: "Weather now",
                parametersJsonSchema: { type: "object", properties: { city: { type: "string", enum: ["Paris"] } }, required: ["city"], additionalProperties: false },
              },
              { name: "now" },
            ],
          },
        ],
        toolConfig,
      });
    }
    expect(body({ messages: [{ role: "user", content: "Hi" }], params: {}, tools })).not.toHaveProperty("toolConfig");
  });

  it("sends calls as model functionCall parts with parsed args, ids and signatures, results as one user content", () => {
    const request: ChatRequest = {
      messages: [
        { role: "user", content: "Weather in Paris and Rome?" },
        {
          role: "assistant",
          content: "Checking.",
          toolCalls: [
            { id: "c1", name: "get_weather", arguments: '{"city":"Paris"}', signature: "SIG1" },
            { id: "c2", name: "get_weather", arguments: '{"city":"Rome"}' },
            { id: "c3", name: "now", arguments: "" },
          ],
        },
        { role: "tool", toolCallId: "c2", content: "sunny" },
        { role: "tool", toolCallId: "c1", content: "boom", isError: true },
        { role: "tool", toolCallId: "c3", content: "noon" },
        { role: "user", content: "Thanks" },
      ],
      params: {},
    };
    expect(body(request)).toEqual({
      contents: [
        { role: "user", parts: [{ text: "Weather in Paris and Rome?" }] },
        {
          role: "model",
          parts: [
            { text: "Checking." },
            { functionCall: { name: "get_weather", args: { city: "Paris" }, id: "c1" }, thoughtSignature: "SIG1" },
            { functionCall: { name: "get_weather", args: { city: "Rome" }, id: "c2" } },
            { functionCall: { name: "now", args: {}, id: "c3" } },
          ],
        },
        {
          role: "user",
          parts: [
            { functionResponse: { name: "get_weather", id: "c2", response: { output: "sunny" } } },
            { functionResponse: { name: "get_weather", id: "c1", response: { error: "boom" } } },
            { functionResponse: { name: "now", id: "c3", response: { output: "noon" } } },
            { text: "Thanks" },
          ],
        },
      ],
    });
  });

  it("puts the documented placeholder on the first call of a turn that has no signature (another provider's turn)", () => {
    const request: ChatRequest = {
      messages: [
        { role: "user", content: "Go" },
        { role: "assistant", content: "", toolCalls: [{ id: "toolu_1", name: "a", arguments: "{}" }, { id: "toolu_2", name: "b", arguments: "{}", signature: "S2" }] },
        { role: "tool", toolCallId: "toolu_1", content: "1" },
        { role: "tool", toolCallId: "toolu_2", content: "2" },
      ],
      params: {},
    };
    expect(body(request)).toMatchObject({
      contents: [
        {},
        {
          role: "model",
          parts: [
            { functionCall: { name: "a", args: {}, id: "toolu_1" }, thoughtSignature: "skip_thought_signature_validator" },
            { functionCall: { name: "b", args: {}, id: "toolu_2" }, thoughtSignature: "S2" },
          ],
        },
        {},
      ],
    });
  });
});

describe("Gemini request: images, JSON, reasoning", () => {
  it("sends base64 images as inlineData in order with the text", () => {
    const request: ChatRequest = {
      messages: [{ role: "user", content: "What is it?", parts: [{ type: "text", text: "What is it?" }, { type: "image", image: { kind: "base64", data: "iVBORw0K", mediaType: "image/png" }, detail: "low" }] }],
      params: {},
    };
    expect(body(request)).toEqual({ contents: [{ role: "user", parts: [{ text: "What is it?" }, { inlineData: { mimeType: "image/png", data: "iVBORw0K" } }] }] });
  });

  it("asks for JSON with responseMimeType, plus the converted schema and its description for json_schema", () => {
    const messages = [{ role: "user" as const, content: "Data" }];
    expect(body({ messages, params: {}, responseFormat: { type: "json_object" } })).toMatchObject({ generationConfig: { responseMimeType: "application/json" } });
    expect(body({ messages, params: {}, responseFormat: { type: "text" } })).not.toHaveProperty("generationConfig");
    const schema = { type: "object", properties: { n: { oneOf: [{ type: "integer" }, { type: "null" }] } }, required: ["n"], additionalProperties: false };
    expect(body({ messages, params: { maxTokens: 9 }, responseFormat: { type: "json_schema", name: "r", description: "A count", schema, strict: true, skipValidation: false } })).toEqual({
      contents: [{ role: "user", parts: [{ text: "Data" }] }],
      generationConfig: {
        maxOutputTokens: 9,
        responseMimeType: "application/json",
        responseJsonSchema: { type: "object", properties: { n: { anyOf: [{ type: "integer" }, { type: "null" }] } }, required: ["n"], additionalProperties: false, description: "A count" },
      },
    });
  });

  it("keeps a root $ref node free of other keywords when adding the format's description", () => {
    const schema = { $defs: { A: { type: "object" } }, $ref: "#/$defs/A" };
    expect(body({ messages: [{ role: "user", content: "x" }], params: {}, responseFormat: { type: "json_schema", name: "r", description: "d", schema, strict: false, skipValidation: false } })).toMatchObject({
      generationConfig: { responseJsonSchema: { $defs: { A: { type: "object" } }, description: "d", anyOf: [{ $ref: "#/$defs/A" }] } },
    });
  });

  it("maps reasoning to thinkingConfig: a budget (from effort or given) with thoughts included, 0 to turn it off", () => {
    const config = (reasoning: ChatRequest["reasoning"]): unknown => (body({ messages: [{ role: "user", content: "x" }], params: {}, ...(reasoning ? { reasoning } : {}) }) as { generationConfig?: unknown }).generationConfig;
    expect(config({ effort: "medium" })).toEqual({ thinkingConfig: { thinkingBudget: 8192, includeThoughts: true } });
    expect(config({ effort: "low", budgetTokens: 300 })).toEqual({ thinkingConfig: { thinkingBudget: 300, includeThoughts: true } });
    expect(config({ effort: "none" })).toEqual({ thinkingConfig: { thinkingBudget: 0 } });
    expect(config(undefined)).toBeUndefined();
  });

  it("sends back signatures of text parts on the model's last text part, drops other formats' blocks and thought text", () => {
    const request: ChatRequest = {
      messages: [
        { role: "user", content: "Q" },
        {
          role: "assistant",
          content: "A",
          reasoning: [
            { format: "gemini", text: "I thought" },
            { format: "anthropic", text: "t", signature: "ANT" },
            { format: "gemini", signature: "G1" },
            { format: "gemini", signature: "G2" },
          ],
        },
        { role: "assistant", content: "", reasoning: [{ format: "gemini", signature: "G3" }] },
        { role: "user", content: "Q2" },
      ],
      params: {},
    };
    expect(body(request)).toEqual({
      contents: [
        { role: "user", parts: [{ text: "Q" }] },
        { role: "model", parts: [{ text: "A", thoughtSignature: "G1" }, { text: "", thoughtSignature: "G2" }, { text: "", thoughtSignature: "G3" }] },
        { role: "user", parts: [{ text: "Q2" }] },
      ],
    });
  });
});

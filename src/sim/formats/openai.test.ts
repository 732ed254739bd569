import { describe, expect, it } from "vitest";
import { answer } from "../answer.js";
import type { SimRequest } from "../answer.js";
import { openAiSim } from "./openai.js";
import { readOpenAiRequest } from "./openai-parse.js";
import { strictSchemaProblem } from "./openai-strict.js";

const weather = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
const tool = { type: "function", function: { name: "get_weather", parameters: weather, strict: true } };
const user = { role: "user", content: "Weather in Paris?" };
const assistantCall = { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] };

/** Parses a body, failing the test when the sim would answer 400. */
function parsed(body: Record<string, unknown>): SimRequest {
  const r = readOpenAiRequest(body);
  if (typeof r === "string") throw new Error(r);
  return r;
}

describe("openAiSim.parse", () => {
  it("reads tools, choice, parallel calls, response format, images and reasoning effort", () => {
    const r = parsed({
      model: "gpt-4.1",
      messages: [{ role: "user", content: [{ type: "text", text: "What is it?" }, { type: "image_url", image_url: { url: "data:image/png;base64,AA" } }] }],
      tools: [tool],
      tool_choice: { type: "function", function: { name: "get_weather" } },
      parallel_tool_calls: false,
      response_format: { type: "json_schema", json_schema: { name: "a", schema: weather, strict: true } },
      reasoning_effort: "low",
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(r).toEqual({
      model: "gpt-4.1",
      prompt: "What is it?",
      maxTokens: undefined,
      stream: true,
      includeUsage: true,
      tools: [{ name: "get_weather", parameters: weather }],
      toolChoice: { name: "get_weather" },
      parallelToolCalls: false,
      afterToolResult: false,
      json: { schema: weather },
      images: 1,
      reasoning: true,
    });
  });

  it("reads json_object as plain JSON, effort none as no reasoning, and a tool message last as after a tool result", () => {
    const r = parsed({
      messages: [user, assistantCall, { role: "tool", tool_call_id: "call_1", content: "18C" }],
      tools: [tool],
      response_format: { type: "json_object" },
      reasoning_effort: "none",
    });
    expect(r).toMatchObject({ json: {}, afterToolResult: true, prompt: "Weather in Paris?\n\n18C" });
    expect(r).not.toHaveProperty("reasoning");
  });

  it.each([
    ["a tool result answering no call", [user, { role: "tool", tool_call_id: "call_9", content: "x" }], {}, /must be a response to a preceeding message/],
    ["an assistant turn with neither content nor tool calls", [user, { role: "assistant", content: null }], {}, /must have 'content' or 'tool_calls'/],
    ["a malformed tool call", [user, { role: "assistant", tool_calls: [{ id: "c", function: { name: "f" } }] }], {}, /tool_calls\[0\]/],
    ["tool_choice without tools", [user], { tool_choice: "auto" }, /only allowed when 'tools'/],
    ["parallel_tool_calls without tools", [user], { parallel_tool_calls: true }, /parallel_tool_calls/],
    ["a forced tool that is not declared", [user], { tools: [tool], tool_choice: { type: "function", function: { name: "nope" } } }, /tool_choice/],
    ["a strict tool whose schema is not closed", [user], { tools: [{ type: "function", function: { name: "f", strict: true, parameters: { type: "object", properties: {} } } }] }, /additionalProperties/],
    ["a strict response schema with an optional property", [user], { response_format: { type: "json_schema", json_schema: { name: "a", strict: true, schema: { ...weather, required: [] } } } }, /Missing 'city'/],
    ["a thinking-mode tool turn without its reasoning_content", [user, assistantCall, { role: "tool", tool_call_id: "call_1", content: "18C" }], { tools: [tool], reasoning_effort: "high" }, /reasoning_content/],
    ["no messages", [], {}, /empty array/],
  ])("answers 400 for %s", (_what, messages, extra, reason) => {
    expect(readOpenAiRequest({ model: "m", messages, ...extra })).toMatch(reason);
    expect(openAiSim.parse("/v1/chat/completions", { model: "m", messages, ...extra })).toEqual({ refused: expect.stringMatching(reason) });
  });

  it("accepts the thinking-mode tool turn when its reasoning_content comes back", () => {
    const messages = [user, { ...assistantCall, reasoning_content: "Look it up." }, { role: "tool", tool_call_id: "call_1", content: "18C" }];
    expect(parsed({ messages, tools: [tool], reasoning_effort: "high" }).reasoning).toBe(true);
  });
});

describe("strictSchemaProblem", () => {
  it("takes a closed schema and rejects a root that is not an object and rejected keywords", () => {
    expect(strictSchemaProblem(weather)).toBeUndefined();
    expect(strictSchemaProblem({ type: "array" })).toMatch(/type: "object"/);
    expect(strictSchemaProblem({ ...weather, properties: { city: { type: "string", default: "x" } } })).toMatch(/'default' is not permitted/);
    expect(strictSchemaProblem({ ...weather, properties: { city: { type: "object", properties: {} } } })).toMatch(/root.properties.city/);
  });
});

describe("openAiSim answers", () => {
  const req = parsed({ model: "gpt-4.1", messages: [user], tools: [tool, { type: "function", function: { name: "now" } }], reasoning_effort: "low", stream: true, stream_options: { include_usage: true } });
  const ans = answer(req, { answerWords: 3, cachedTokens: 0, toolCalls: 2 });

  it("writes a unary tool-call answer with reasoning_content, content null and reasoning tokens", () => {
    const body = JSON.parse(openAiSim.unary(req, ans)) as { choices: Array<{ message: unknown; finish_reason: string }>; usage: unknown };
    expect(body.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      message: {
        role: "assistant",
        content: null,
        reasoning_content: "Let me think this through.",
        tool_calls: [
          { id: ans.toolCalls[0]?.id, type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          { id: ans.toolCalls[1]?.id, type: "function", function: { name: "now", arguments: "{}" } },
        ],
      },
    });
    expect(body.usage).toMatchObject({ completion_tokens_details: { reasoning_tokens: 6 }, prompt_tokens_details: { cached_tokens: 0 } });
  });

  it("streams reasoning, then each call's first fragment with id, type and name and later ones with index and arguments only", () => {
    const w = openAiSim.streamer(req, ans);
    const frames = [...w.start(), ...ans.pieces.flatMap((p, i) => w.piece(p, i)), ...w.end()];
    const deltas = frames
      .map((f) => f.slice("data: ".length).trim())
      .filter((d) => d !== "[DONE]")
      .map((d) => JSON.parse(d) as { choices: Array<{ delta: Record<string, unknown>; finish_reason: string | null }> });
    expect(deltas[1]?.choices[0]?.delta).toEqual({ content: null, reasoning_content: "Let" });
    const calls = deltas.flatMap((d) => (d.choices[0]?.delta["tool_calls"] as unknown[] | undefined) ?? []);
    expect(calls[0]).toEqual({ index: 0, id: ans.toolCalls[0]?.id, type: "function", function: { name: "get_weather", arguments: '{"cit' } });
    expect(calls[1]).toEqual({ index: 0, function: { arguments: 'y":"P' } });
    expect(calls.find((c) => (c as { index: number }).index === 1)).toEqual({ index: 1, id: ans.toolCalls[1]?.id, type: "function", function: { name: "now", arguments: "{}" } });
    expect(deltas.at(-2)?.choices[0]?.finish_reason).toBe("tool_calls");
    expect(frames.at(-1)).toBe("data: [DONE]\n\n");
  });

  it("reports image tokens only when images were sent", () => {
    const withImage = parsed({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x.test/a.png" } }] }] });
    const usage = (r: SimRequest): unknown => (JSON.parse(openAiSim.unary(r, answer(r, { answerWords: 1, cachedTokens: 0 }))) as { usage: unknown }).usage;
    expect(usage(withImage)).toMatchObject({ prompt_tokens_details: { image_tokens: 85 } });
    expect(usage(parsed({ messages: [user] }))).toEqual(expect.objectContaining({ prompt_tokens_details: { cached_tokens: 0 } }));
  });
});

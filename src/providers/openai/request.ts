/** Core request -> OpenAI Chat Completions body: messages with parts and tool calls, tools, formats, reasoning. */
import type { MaxTokensField } from "../../config/schema.js";
import { reasoningEffort } from "../reasoning.js";
import type { ChatMessage, ContentPart, ResponseFormat, ToolChoice, ToolSpec, UpstreamCall } from "../types.js";
import { toStrictSchema } from "./schema.js";

/** The prefix an error tool result gets: OpenAI has no error flag on tool messages. */
export const TOOL_ERROR_PREFIX = "Error: ";

/** The JSON body of a chat completion request. */
export function buildBody(call: UpstreamCall, stream: boolean, maxTokensField: MaxTokensField): Record<string, unknown> {
  const { params, messages, tools, toolChoice, parallelToolCalls, responseFormat, reasoning } = call.request;
  const body: Record<string, unknown> = { model: call.upstreamModel, messages: messages.map(toMessage) };
  if (params.maxTokens !== undefined) body[maxTokensField] = params.maxTokens;
  if (params.temperature !== undefined) body["temperature"] = params.temperature;
  if (params.topP !== undefined) body["top_p"] = params.topP;
  if (params.stop !== undefined && params.stop.length > 0) body["stop"] = params.stop;
  if (tools !== undefined && tools.length > 0) {
    body["tools"] = tools.map(toTool);
    // Both only with tools: OpenAI rejects them otherwise (and without tools there is nothing to choose).
    if (toolChoice !== undefined) body["tool_choice"] = toToolChoice(toolChoice);
    if (parallelToolCalls !== undefined) body["parallel_tool_calls"] = parallelToolCalls;
  }
  const format = responseFormat !== undefined ? toResponseFormat(responseFormat) : undefined;
  if (format !== undefined) body["response_format"] = format;
  const effort = reasoningEffort(reasoning);
  if (effort !== undefined) body["reasoning_effort"] = effort;
  if (stream) {
    body["stream"] = true;
    body["stream_options"] = { include_usage: true };
  }
  return body;
}

/** One message; text-only content is a plain string, content with images a list of parts. */
export function toMessage(m: ChatMessage): Record<string, unknown> {
  switch (m.role) {
    case "tool":
      return {
        role: "tool",
        ...(m.toolCallId !== undefined ? { tool_call_id: m.toolCallId } : {}),
        content: m.isError === true ? `${TOOL_ERROR_PREFIX}${m.content}` : m.content,
      };
    case "assistant":
      return toAssistant(m);
    default:
      return { role: m.role, content: toContent(m) };
  }
}

function toContent(m: ChatMessage): string | Record<string, unknown>[] {
  const parts = m.parts;
  if (parts === undefined || parts.every((p) => p.type === "text")) return m.content;
  return parts.map(toPart);
}

function toPart(p: ContentPart): Record<string, unknown> {
  if (p.type === "text") return { type: "text", text: p.text };
  const url = p.image.kind === "url" ? p.image.url : `data:${p.image.mediaType};base64,${p.image.data}`;
  return { type: "image_url", image_url: { url, ...(p.detail !== undefined ? { detail: p.detail } : {}) } };
}

/** An assistant turn: text (null when it only calls tools), its tool calls, and DeepSeek's reasoning_content. */
function toAssistant(m: ChatMessage): Record<string, unknown> {
  const calls = m.toolCalls ?? [];
  const out: Record<string, unknown> = { role: "assistant", content: calls.length > 0 && m.content === "" ? null : m.content };
  if (calls.length > 0) {
    // A call's `signature` (Gemini's thought signature) is not written back: OpenAI proper may reject unknown fields.
    out["tool_calls"] = calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } }));
  }
  const reasoning = (m.reasoning ?? []).filter((b) => b.format === "openai" && b.text !== undefined).map((b) => b.text);
  if (reasoning.length > 0) out["reasoning_content"] = reasoning.join("");
  return out;
}

/** A tool declaration; a strict tool's schema in strict form, or strict:false when it has none. */
export function toTool(t: ToolSpec): Record<string, unknown> {
  const fn: Record<string, unknown> = { name: t.name };
  if (t.description !== undefined) fn["description"] = t.description;
  if (t.strict === true) {
    const strict = toStrictSchema(t.parameters ?? { type: "object", properties: {} });
    fn["parameters"] = strict ?? t.parameters;
    if (fn["parameters"] === undefined) delete fn["parameters"];
    fn["strict"] = strict !== undefined;
  } else {
    if (t.parameters !== undefined) fn["parameters"] = t.parameters;
    if (t.strict === false) fn["strict"] = false;
  }
  return { type: "function", function: fn };
}

/** The tool_choice value. */
export function toToolChoice(c: ToolChoice): unknown {
  return c.mode === "tool" ? { type: "function", function: { name: c.name } } : c.mode;
}

/** The response_format value; undefined for plain text (OpenAI's default). */
export function toResponseFormat(f: ResponseFormat): Record<string, unknown> | undefined {
  switch (f.type) {
    case "text":
      return undefined;
    case "json_object":
      return { type: "json_object" };
    case "json_schema": {
      const strict = f.strict ? toStrictSchema(f.schema) : undefined;
      const schema: Record<string, unknown> = {
        name: f.name,
        ...(f.description !== undefined ? { description: f.description } : {}),
        schema: strict ?? f.schema,
        strict: strict !== undefined,
      };
      return { type: "json_schema", json_schema: schema };
    }
  }
}

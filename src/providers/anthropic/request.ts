/** The Messages request body: messages and content blocks, tools, tool choice, output format, thinking. */
import { createHash } from "node:crypto";
import { reasoningBudget, wantsReasoning } from "../reasoning.js";
import type { ChatMessage, ChatRequest, ContentPart, ImageSource, ReasoningBlock, ToolSpec, UpstreamCall } from "../types.js";
import { toAnthropicSchema } from "./schema.js";

/** Anthropic's temperature range is 0..1 (the gateway accepts OpenAI's 0..2). */
const MAX_TEMPERATURE = 1;

/** Appended to the system prompt for `json_object`, which has no native mode (the gateway validates the answer). */
export const JSON_OBJECT_INSTRUCTION = "Answer with one JSON object only: no text before or after it, no code fence.";

type Block = Record<string, unknown>;

/** True when a text is empty or whitespace only, which Anthropic rejects in any message or block. */
export function blank(text: string): boolean {
  return text.trim().length === 0;
}

/**
 * A tool-call id as Anthropic takes it (`^[a-zA-Z0-9_-]+$`): unchanged when it fits, else its other characters
 * replaced and a short hash of the original appended, so two ids never collide. Used for tool_use and tool_result.
 */
export function anthropicToolId(id: string): string {
  if (/^[a-zA-Z0-9_-]+$/.test(id)) return id;
  return `${id.replace(/[^a-zA-Z0-9_-]/g, "_")}_${createHash("sha256").update(id).digest("hex").slice(0, 8)}`;
}

/** An image block. */
function imageBlock(image: ImageSource): Block {
  const source = image.kind === "url" ? { type: "url", url: image.url } : { type: "base64", media_type: image.mediaType, data: image.data };
  return { type: "image", source };
}

/** Text and image blocks of a message's content, blank text dropped. */
function contentBlocks(m: ChatMessage): Block[] {
  const parts: readonly ContentPart[] = m.parts ?? [{ type: "text", text: m.content }];
  return parts.flatMap((p): Block[] => (p.type === "image" ? [imageBlock(p.image)] : blank(p.text) ? [] : [{ type: "text", text: p.text }]));
}

/** Reasoning blocks of this wire format, as thinking / redacted_thinking blocks, in order. */
function thinkingBlocks(reasoning: readonly ReasoningBlock[] | undefined): Block[] {
  return (reasoning ?? []).flatMap((r): Block[] => {
    if (r.format !== "anthropic") return [];
    if (r.redacted !== undefined) return [{ type: "redacted_thinking", data: r.redacted }];
    return [{ type: "thinking", thinking: r.text ?? "", signature: r.signature ?? "" }];
  });
}

/** Parsed tool-call arguments (an object; check() refuses anything else). */
function input(args: string): unknown {
  try {
    const parsed: unknown = JSON.parse(args === "" ? "{}" : args);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** The blocks of one turn: assistant = thinking, text, tool_use; tool = one tool_result; user = text and images. */
function blocksOf(m: ChatMessage): Block[] {
  if (m.role === "assistant") {
    const calls = (m.toolCalls ?? []).map((c) => ({ type: "tool_use", id: anthropicToolId(c.id), name: c.name, input: input(c.arguments) }));
    return [...thinkingBlocks(m.reasoning), ...contentBlocks(m), ...calls];
  }
  if (m.role === "tool") {
    const content = contentBlocks(m);
    const result: Block = { type: "tool_result", tool_use_id: anthropicToolId(m.toolCallId ?? "") };
    if (content.length > 0) result["content"] = content.length === 1 && content[0]?.["type"] === "text" ? content[0]["text"] : content;
    if (m.isError === true) result["is_error"] = true;
    return [result];
  }
  return contentBlocks(m);
}

/**
 * Messages without system turns; consecutive turns of one role become one message (tool results are user
 * turns, placed first in theirs, as Anthropic requires). Blank turns are dropped: Anthropic rejects empty and
 * whitespace-only text and a blank turn says nothing. A final assistant turn is a prefill, which Anthropic
 * rejects when it ends in whitespace, so its end is trimmed. An assistant-first conversation is sent as is.
 */
export function toMessages(messages: readonly ChatMessage[]): Array<Record<string, unknown>> {
  const out: Array<{ role: "user" | "assistant"; blocks: Block[] }> = [];
  for (const m of messages) {
    if (m.role === "system") continue;
    const blocks = blocksOf(m);
    if (blocks.length === 0) continue;
    const role = m.role === "assistant" ? "assistant" : "user";
    const last = out[out.length - 1];
    if (last && last.role === role) last.blocks.push(...blocks);
    else out.push({ role, blocks });
  }
  const final = out[out.length - 1];
  const tail = final?.blocks[final.blocks.length - 1];
  if (final?.role === "assistant" && tail?.["type"] === "text") final.blocks[final.blocks.length - 1] = { ...tail, text: String(tail["text"]).trimEnd() };
  return out.map(({ role, blocks }) => {
    const ordered = role === "user" ? [...blocks.filter(isResult), ...blocks.filter((b) => !isResult(b))] : blocks;
    const only = ordered[0];
    return { role, content: ordered.length === 1 && only?.["type"] === "text" ? only["text"] : ordered };
  });
}

function isResult(b: Block): boolean {
  return b["type"] === "tool_result";
}

/** A tool declaration; a strict tool's schema is converted to the structured-output subset. */
function toolDecl(t: ToolSpec): Block {
  const params = t.parameters ?? { type: "object" };
  const converted = t.strict === true ? toAnthropicSchema(params) : undefined;
  const schema = converted && "schema" in converted ? converted.schema : params;
  const decl: Block = { name: t.name };
  if (t.description !== undefined) decl["description"] = t.description;
  decl["input_schema"] = schema["type"] === undefined ? { type: "object", ...schema } : schema;
  if (t.strict !== undefined) decl["strict"] = t.strict;
  return decl;
}

/** tool_choice, with parallel calls switched off inside it; undefined for the provider's default. */
function toolChoice(r: ChatRequest): Block | undefined {
  const c = r.toolChoice;
  const choice: Block | undefined =
    c === undefined ? undefined
    : c.mode === "tool" ? { type: "tool", name: c.name }
    : { type: c.mode === "required" ? "any" : c.mode };
  if (r.parallelToolCalls !== false || choice?.["type"] === "none") return choice;
  return { ...(choice ?? { type: "auto" }), disable_parallel_tool_use: true };
}

/** The system prompt: system turns joined, plus the JSON instruction for json_object. */
function systemPrompt(r: ChatRequest): string | undefined {
  const system = r.messages.filter((m) => m.role === "system" && !blank(m.content)).map((m) => m.content);
  if (r.responseFormat?.type === "json_object") system.push(JSON_OBJECT_INSTRUCTION);
  return system.length > 0 ? system.join("\n\n") : undefined;
}

/** output_config for a JSON-schema answer (its description, which Anthropic has no field for, goes on the schema). */
function outputConfig(r: ChatRequest): Block | undefined {
  const f = r.responseFormat;
  if (f?.type !== "json_schema") return undefined;
  const converted = toAnthropicSchema(f.schema);
  let schema: Record<string, unknown> = "schema" in converted ? converted.schema : { ...f.schema };
  if (f.description !== undefined && schema["description"] === undefined) schema = { ...schema, description: f.description };
  return { format: { type: "json_schema", schema } };
}

/** Anthropic's least thinking budget. */
export const MIN_THINKING_BUDGET = 1024;

/**
 * The thinking budget sent: an explicit budget as asked, an effort's budget raised to Anthropic's minimum (an effort
 * is approximate by nature), either capped below max_tokens, which bounds thinking and answer together.
 */
export function thinkingBudget(r: ChatRequest, maxTokens: number): number {
  const asked = reasoningBudget(r.reasoning) ?? 0;
  const floor = r.reasoning?.budgetTokens === undefined ? Math.max(asked, MIN_THINKING_BUDGET) : asked;
  return Math.min(floor, maxTokens - 1);
}

/** The JSON body of a Messages call. */
export function requestBody(call: UpstreamCall, stream: boolean): Record<string, unknown> {
  const r = call.request;
  const { params } = r;
  const maxTokens = params.maxTokens ?? call.defaultMaxTokens;
  const body: Record<string, unknown> = { model: call.upstreamModel, max_tokens: maxTokens, messages: toMessages(r.messages) };
  const system = systemPrompt(r);
  if (system !== undefined) body["system"] = system;
  const thinking = wantsReasoning(r.reasoning);
  if (thinking) body["thinking"] = { type: "enabled", budget_tokens: thinkingBudget(r, maxTokens) };
  // Anthropic requires the default sampling with thinking on; reasoning models ignore sampling anyway.
  if (!thinking && params.temperature !== undefined) body["temperature"] = Math.min(params.temperature, MAX_TEMPERATURE);
  if (!thinking && params.topP !== undefined) body["top_p"] = params.topP;
  if (params.stop !== undefined && params.stop.length > 0) body["stop_sequences"] = params.stop;
  if (r.tools !== undefined && r.tools.length > 0) {
    body["tools"] = r.tools.map(toolDecl);
    const choice = toolChoice(r);
    if (choice !== undefined) body["tool_choice"] = choice;
  }
  const output = outputConfig(r);
  if (output !== undefined) body["output_config"] = output;
  if (stream) body["stream"] = true;
  return body;
}

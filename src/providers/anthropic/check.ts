/** What of a request the Messages API cannot carry faithfully, named by the contract's field path. */
import { reasoningBudget, wantsReasoning } from "../reasoning.js";
import type { ChatMessage, ChatRequest, ContentPart, Unsupported } from "../types.js";
import { thinkingBudget } from "./request.js";
import { toAnthropicSchema } from "./schema.js";

/** Image media types Anthropic accepts. */
const MEDIA_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);
/** Largest image Anthropic accepts, decoded bytes. */
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** Smallest thinking budget Anthropic accepts. */
const MIN_BUDGET = 1024;

/** Decoded size of base64 text. */
function decodedBytes(b64: string): number {
  const padding = b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0;
  return Math.floor((b64.replace(/\s/g, "").length * 3) / 4) - padding;
}

/** An image part Anthropic cannot take, or undefined. */
function checkImage(m: ChatMessage, i: number, p: ContentPart, j: number): Unsupported | undefined {
  if (p.type !== "image") return undefined;
  const at = `messages[${i}].parts[${j}]`;
  if (m.role !== "user" && m.role !== "tool") return { field: at, reason: `Anthropic takes images in user turns only, not in ${m.role} turns` };
  const type = p.image.mediaType?.toLowerCase();
  if (type !== undefined && !MEDIA_TYPES.has(type)) {
    return { field: `${at}.image.media_type`, reason: `Anthropic takes image/jpeg, image/png, image/gif and image/webp, not ${type}` };
  }
  if (p.image.kind === "base64" && decodedBytes(p.image.data) > MAX_IMAGE_BYTES) {
    return { field: `${at}.image.data`, reason: "Anthropic takes images of at most 5 MB" };
  }
  return undefined;
}

/** A message part Anthropic cannot carry (an image, tool-call arguments that are not a JSON object). */
function checkMessage(m: ChatMessage, i: number): Unsupported | undefined {
  for (const [j, p] of (m.parts ?? []).entries()) {
    const bad = checkImage(m, i, p, j);
    if (bad) return bad;
  }
  for (const [j, c] of (m.toolCalls ?? []).entries()) {
    let args: unknown;
    try {
      args = JSON.parse(c.arguments === "" ? "{}" : c.arguments);
    } catch {
      args = undefined;
    }
    if (typeof args !== "object" || args === null || Array.isArray(args)) {
      return { field: `messages[${i}].tool_calls[${j}].arguments`, reason: "Anthropic takes tool-call arguments as a JSON object only" };
    }
  }
  return undefined;
}

/** The last assistant turn of a tool loop in progress (the conversation ends in tool results), if it made calls. */
function loopTurn(messages: readonly ChatMessage[]): number | undefined {
  let i = messages.length - 1;
  while (i >= 0 && messages[i]?.role === "tool") i--;
  if (i === messages.length - 1) return undefined;
  const m = messages[i];
  return m?.role === "assistant" && (m.toolCalls?.length ?? 0) > 0 ? i : undefined;
}

/** Reasoning Anthropic cannot honour: a budget below its minimum, a forced tool, a tool loop without its thinking. */
function checkReasoning(r: ChatRequest, defaultMaxTokens: number | undefined): Unsupported | undefined {
  if (!wantsReasoning(r.reasoning)) return undefined;
  const asked = reasoningBudget(r.reasoning) ?? 0;
  // The max_tokens sent: the request's, else the model's default (unknown to a bare check: then no cap).
  const max = r.params.maxTokens ?? defaultMaxTokens;
  const budget = thinkingBudget(r, max ?? Number.MAX_SAFE_INTEGER);
  if (budget < MIN_BUDGET) {
    const reason = asked < MIN_BUDGET
      ? `Anthropic's thinking budget is at least ${MIN_BUDGET} tokens, ${asked} asked`
      : `max_tokens ${max ?? ""} leaves a thinking budget of ${budget}; Anthropic needs at least ${MIN_BUDGET}, so max_tokens of at least ${MIN_BUDGET + 1}`;
    return { field: "reasoning.budget_tokens", reason };
  }
  const mode = r.toolChoice?.mode;
  if (mode === "required" || mode === "tool") {
    return { field: "tool_choice", reason: "Anthropic cannot force a tool call while thinking" };
  }
  const turn = loopTurn(r.messages);
  if (turn !== undefined && !(r.messages[turn]?.reasoning ?? []).some((b) => b.format === "anthropic")) {
    return { field: `messages[${turn}].reasoning`, reason: "with thinking on, Anthropic needs the thinking block of the tool-calling turn, which another provider wrote" };
  }
  return undefined;
}

/** A schema path under a request field. */
function under(field: string, path: string): string {
  return path === "" ? field : `${field}.${path}`;
}

/** What of the request Anthropic cannot carry faithfully; undefined when all of it. */
export function checkAnthropic(r: ChatRequest, defaultMaxTokens?: number): Unsupported | undefined {
  let calls = false;
  for (const [i, m] of r.messages.entries()) {
    if (m.parts === undefined && m.toolCalls === undefined && m.role !== "tool") continue;
    calls ||= m.role === "tool" || (m.toolCalls?.length ?? 0) > 0;
    const bad = checkMessage(m, i);
    if (bad) return bad;
  }
  if (calls && (r.tools ?? []).length === 0) {
    return { field: "tools", reason: "Anthropic needs the tools declared when the conversation has tool calls or results" };
  }
  for (const [i, t] of (r.tools ?? []).entries()) {
    const type = t.parameters?.["type"];
    if (type !== undefined && type !== "object") return { field: `tools[${i}].parameters.type`, reason: "Anthropic takes an object schema for tool arguments" };
    if (t.strict === true && t.parameters !== undefined) {
      const c = toAnthropicSchema(t.parameters);
      if ("unsupported" in c) return { field: under(`tools[${i}].parameters`, c.unsupported.path), reason: c.unsupported.reason };
    }
  }
  const f = r.responseFormat;
  if (f?.type === "json_schema") {
    const c = toAnthropicSchema(f.schema);
    if ("unsupported" in c) return { field: under("response_format.schema", c.unsupported.path), reason: c.unsupported.reason };
  }
  return checkReasoning(r, defaultMaxTokens);
}

/** OpenAI chat completion body -> core result: text, tool calls, refusal, DeepSeek reasoning, usage. */
import { ProviderError } from "../errors.js";
import { count, isObject, own, str, tryJson } from "../headers.js";
import type { ChatResult, FinishReason, ReasoningBlock, ToolCall, Usage } from "../types.js";
import { classifyOpenAiError } from "./errors.js";

const FINISH: Record<string, FinishReason> = {
  stop: "stop",
  length: "length",
  content_filter: "content_filter",
  // Said without any call (it happens): nothing to run, so not "tool_calls"; with calls the calls decide.
  tool_calls: "other",
  function_call: "other",
};

/** Maps an OpenAI finish_reason to ours (before "tool_calls" is decided from the calls themselves). */
export function mapFinish(reason: unknown): FinishReason {
  return typeof reason === "string" ? (own(FINISH, reason) ?? "other") : "unspecified";
}

/** Reads an OpenAI `usage` object; absent counts stay absent. */
export function readUsage(usage: unknown): Usage {
  if (!isObject(usage)) return {};
  const out: Usage = {};
  const input = count(usage["prompt_tokens"]);
  const output = count(usage["completion_tokens"]);
  if (input !== undefined) out.inputTokens = input;
  if (output !== undefined) out.outputTokens = output;
  const prompt = usage["prompt_tokens_details"];
  // DeepSeek reports cache hits as `prompt_cache_hit_tokens` (prompt_tokens includes them too).
  const cached = (isObject(prompt) ? count(prompt["cached_tokens"]) : undefined) ?? count(usage["prompt_cache_hit_tokens"]);
  if (cached !== undefined) out.cachedInputTokens = cached;
  const images = isObject(prompt) ? count(prompt["image_tokens"]) : undefined;
  if (images !== undefined) out.imageInputTokens = images;
  const completion = usage["completion_tokens_details"];
  const reasoning = isObject(completion) ? count(completion["reasoning_tokens"]) : undefined;
  if (reasoning !== undefined) out.reasoningTokens = reasoning;
  return out;
}

/** Throws the classified error when a 2xx body carries an `error` object. */
export function throwIfError(body: unknown, now: () => number): void {
  if (isObject(body) && isObject(body["error"])) throw classifyOpenAiError(200, {}, JSON.stringify(body), now());
}

/** Gemini's OpenAI endpoint: a call's thought signature in `extra_content.google.thought_signature`. */
export function readSignature(call: Record<string, unknown>): string | undefined {
  const extra = call["extra_content"];
  const google = isObject(extra) ? extra["google"] : undefined;
  return isObject(google) ? str(google["thought_signature"]) : undefined;
}

/** Arguments as JSON text: a string as sent ("{}" when empty), an object some servers send serialized. */
function argumentsText(value: unknown): string {
  if (typeof value === "string") return value === "" ? "{}" : value;
  return isObject(value) ? JSON.stringify(value) : "{}";
}

function malformed(reason: string): ProviderError {
  return new ProviderError({ kind: "invalid_response", reason });
}

/** The tool calls of a message, in order; an empty id (seen from Gemini's endpoint) becomes `call_<position>`. */
export function readToolCalls(value: unknown): ToolCall[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw malformed("malformed tool_calls");
  return value.map((raw: unknown, i) => {
    const fn = isObject(raw) ? raw["function"] : undefined;
    const name = isObject(fn) ? str(fn["name"]) : undefined;
    if (!isObject(raw) || !isObject(fn) || name === undefined) throw malformed("malformed tool call");
    const signature = readSignature(raw);
    return {
      id: str(raw["id"]) || `call_${i}`,
      name,
      arguments: argumentsText(fn["arguments"]),
      ...(signature !== undefined ? { signature } : {}),
    };
  });
}

/** Parses a unary body; throws the classified error of an error body, invalid_response for a malformed one. */
export function parseChatCompletion(text: string, now: () => number): ChatResult {
  const body = tryJson(text);
  throwIfError(body, now);
  if (!isObject(body) || !Array.isArray(body["choices"])) throw malformed("malformed chat completion");
  const choice: unknown = body["choices"][0];
  const message = isObject(choice) ? choice["message"] : undefined;
  const content = isObject(message) ? message["content"] : undefined;
  if (!isObject(choice) || (content !== null && content !== undefined && typeof content !== "string")) {
    throw malformed("malformed chat completion choice");
  }
  const m = isObject(message) ? message : {};
  const toolCalls = readToolCalls(m["tool_calls"]);
  const refusal = str(m["refusal"]);
  const thought = str(m["reasoning_content"]);
  const reasoning: ReasoningBlock[] = thought ? [{ format: "openai", text: thought }] : [];
  const model = str(body["model"]);
  return {
    text: typeof content === "string" ? content : "",
    finishReason: toolCalls.length > 0 ? "tool_calls" : mapFinish(choice["finish_reason"]),
    usage: readUsage(body["usage"]),
    ...(model !== undefined ? { responseModel: model } : {}),
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    ...(refusal ? { refusal } : {}),
    ...(reasoning.length > 0 ? { reasoning } : {}),
  };
}

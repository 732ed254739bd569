/** Rough, provider-independent size and price estimates of a request, made before any call. */
import type { ModelConfig } from "../../config/schema.js";
import type { ChatRequest } from "../../providers/types.js";

/** Characters per token of the estimate (a common rule of thumb for English text and code). */
export const CHARS_PER_TOKEN = 4;

/** Input tokens an image is estimated at (a mid-size image on current models: OpenAI high detail, Anthropic, Gemini). */
export const IMAGE_TOKEN_ESTIMATE = 1_000;

/** What a request sends a provider, in characters of text and JSON, and its number of images. */
export function requestSize(chat: ChatRequest): { readonly chars: number; readonly images: number } {
  let chars = 0;
  let images = 0;
  for (const m of chat.messages) {
    chars += m.content.length;
    if (m.toolCalls) for (const c of m.toolCalls) chars += c.name.length + c.arguments.length;
    if (m.reasoning) for (const r of m.reasoning) chars += (r.text?.length ?? 0) + (r.signature?.length ?? 0) + (r.redacted?.length ?? 0);
    if (m.parts) for (const p of m.parts) if (p.type === "image") images++;
  }
  if (chat.tools) for (const t of chat.tools) chars += t.name.length + (t.description?.length ?? 0) + JSON.stringify(t.parameters ?? {}).length;
  if (chat.responseFormat?.type === "json_schema") chars += JSON.stringify(chat.responseFormat.schema).length;
  return { chars, images };
}

/** Estimated input tokens of a request: its text and JSON at four characters a token, images at their estimate; at least one. */
export function estimateInputTokens(chat: ChatRequest): number {
  const { chars, images } = requestSize(chat);
  return Math.max(1, Math.ceil(chars / CHARS_PER_TOKEN) + images * IMAGE_TOKEN_ESTIMATE);
}

/** The most output tokens the request may produce on a model: its max_tokens, else the model's default. */
export function maxOutputTokens(chat: ChatRequest, model: ModelConfig): number {
  return chat.params.maxTokens ?? model.defaultMaxTokens;
}

/** Tokens the request needs in a context window: the input plus the output the client asked room for. */
export function contextTokens(chat: ChatRequest): number {
  return estimateInputTokens(chat) + (chat.params.maxTokens ?? 0);
}

/** True when the model's context window (if configured) can hold `tokens`. */
export function fitsWindow(model: ModelConfig, tokens: number): boolean {
  return model.contextWindow === undefined || model.contextWindow >= tokens;
}

/** Tokens a call may consume against a tokens-per-minute limit: input plus maximum output. */
export function budgetTokens(chat: ChatRequest, model: ModelConfig): number {
  return estimateInputTokens(chat) + maxOutputTokens(chat, model);
}

/** The most a request may cost on a model, in pico-dollars: estimated input plus maximum output. */
export function estimateCostPicos(chat: ChatRequest, model: ModelConfig): bigint {
  const input = BigInt(estimateInputTokens(chat));
  const output = BigInt(maxOutputTokens(chat, model));
  return input * model.pricing.inputPerToken + output * model.pricing.outputPerToken;
}

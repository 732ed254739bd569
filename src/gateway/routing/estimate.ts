/** Rough, provider-independent size and price estimates of a request, made before any call. */
import type { ModelConfig } from "../../config/schema.js";
import type { ChatRequest } from "../../providers/types.js";

/** Characters per token of the estimate (a common rule of thumb for English text and code). */
export const CHARS_PER_TOKEN = 4;

/** Estimated input tokens of a request: all message text, one token per four characters, at least one. */
export function estimateInputTokens(chat: ChatRequest): number {
  let chars = 0;
  for (const m of chat.messages) chars += m.content.length;
  return Math.max(1, Math.ceil(chars / CHARS_PER_TOKEN));
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

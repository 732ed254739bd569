/**
 * The usage the core accounts for an attempt, decided once: the provider's report when it is plausible; the
 * bound, flagged, when the report is beyond what the request could have used (a provider reporting 1e12 tokens
 * must not bill $2,000,000 or lock a key out); an estimate, flagged, when the provider reported nothing for a
 * call it may bill (a cut or cancelled stream, a hedge that lost, a timeout). Pure.
 */
import type { ModelConfig } from "../../config/schema.js";
import type { ChatRequest, Usage } from "../../providers/types.js";
import { CHARS_PER_TOKEN, estimateInputTokens, requestSize } from "../routing/estimate.js";
import type { UsageBasis } from "../types.js";

/** A report more than this factor over a bound (plus SLACK tokens) is implausible. */
const MARGIN = 1.25;
const SLACK = 64;
/** Tokens of message framing a provider may add per message, and for the request as a whole. */
const PER_MESSAGE = 32;
const PER_REQUEST = 1024;
/** The most input tokens one image can cost on any provider today (OpenAI high detail tiles, Gemini ultra-high resolution). */
const PER_IMAGE = 8192;
/** Tokens a provider adds for tool use (Anthropic's tool system prompt is a few hundred). */
const PER_TOOLS = 1024;
/** The largest count any model's window holds today, for a request that sets no max_tokens on a model with no configured window. */
const ABSOLUTE_MAX = 2_000_000;

/** What the core knows of an attempt when it closes. */
export interface UsageFacts {
  readonly chat: ChatRequest;
  readonly model: ModelConfig;
  readonly stream: boolean;
  /** Characters and text events the client was sent (or the unary answer's characters and 1). */
  readonly seenChars: number;
  readonly seenEvents: number;
  /** True when the provider cannot have billed the call: it refused it with an HTTP error, or was never reached. */
  readonly notBilled: boolean;
}

/** The accounted usage of an attempt and where it comes from. */
export interface AccountedUsage {
  readonly usage: Usage;
  readonly basis: UsageBasis;
}

/** The most input and output tokens a request can plausibly be billed for on a model. */
export function usageBounds(chat: ChatRequest, model: ModelConfig): { readonly input: number; readonly output: number } {
  const { chars, images } = requestSize(chat);
  // A byte-level tokenizer makes at most one token per UTF-8 byte, and a UTF-16 unit is at most three bytes.
  const tools = chat.tools !== undefined || chat.messages.some((m) => m.role === "tool") ? PER_TOOLS : 0;
  const prompt = 3 * chars + PER_MESSAGE * chat.messages.length + PER_REQUEST + PER_IMAGE * images + tools;
  const window = model.contextWindow ?? ABSOLUTE_MAX;
  const input = Math.min(prompt, window);
  const output = chat.params.maxTokens ?? window;
  return { input: Math.ceil(input * MARGIN) + SLACK, output: Math.ceil(output * MARGIN) + SLACK };
}

/** Decides the usage an attempt is accounted for, from what the provider reported and what the core saw. */
export function accountUsage(reported: Usage, facts: UsageFacts): AccountedUsage {
  const known = reported.inputTokens !== undefined && reported.outputTokens !== undefined;
  if (!known) {
    if (facts.notBilled) return { usage: reported, basis: "reported" };
    return { usage: estimate(reported, facts), basis: "estimated" };
  }
  const bounds = usageBounds(facts.chat, facts.model);
  const input = reported.inputTokens ?? 0;
  const output = reported.outputTokens ?? 0;
  if (input <= bounds.input && output <= bounds.output && plausible(reported)) return { usage: reported, basis: "reported" };
  const inputTokens = Math.min(whole(input), bounds.input);
  const outputTokens = Math.min(whole(output), bounds.output);
  return {
    usage: {
      inputTokens,
      outputTokens,
      cachedInputTokens: clamp(reported.cachedInputTokens, inputTokens),
      cacheWriteTokens: clamp(reported.cacheWriteTokens, inputTokens),
      reasoningTokens: clamp(reported.reasoningTokens, outputTokens),
      imageInputTokens: clamp(reported.imageInputTokens, inputTokens),
    },
    basis: "bounded",
  };
}

/**
 * The estimate of an unreported usage: the prompt's estimate, and the output the client saw (text events, or
 * characters per token, whichever is more, up to max_tokens); a unary call that gave nothing back (a hedge that lost, a timeout)
 * may still be generating and billed in full, so its output is taken at the upper bound, max_tokens.
 */
function estimate(reported: Usage, facts: UsageFacts): Usage {
  const most = facts.chat.params.maxTokens ?? facts.model.defaultMaxTokens;
  const seen = Math.min(most, Math.max(facts.seenEvents, Math.ceil(facts.seenChars / CHARS_PER_TOKEN)));
  const output = !facts.stream && seen === 0 ? most : seen;
  return { ...reported, inputTokens: reported.inputTokens ?? estimateInputTokens(facts.chat), outputTokens: reported.outputTokens ?? output };
}

/** Counts are whole and not negative, and parts are not larger than their wholes. */
function plausible(u: Usage): boolean {
  const counts = [u.inputTokens, u.outputTokens, u.cachedInputTokens, u.cacheWriteTokens, u.reasoningTokens, u.imageInputTokens];
  if (!counts.every((c) => c === undefined || (Number.isSafeInteger(c) && c >= 0))) return false;
  const input = u.inputTokens ?? 0;
  return (u.cachedInputTokens ?? 0) + (u.cacheWriteTokens ?? 0) <= input && (u.imageInputTokens ?? 0) <= input && (u.reasoningTokens ?? 0) <= (u.outputTokens ?? 0);
}

/** A count as a whole number of tokens: NaN and negatives as 0, an infinite one left for the bound to take. */
function whole(n: number): number {
  return Number.isNaN(n) || n <= 0 ? 0 : Math.floor(n);
}

function clamp(n: number | undefined, max: number): number | undefined {
  return n === undefined ? undefined : Math.min(whole(n), max);
}

/** The deterministic answer a simulated model gives, and its token counts: text, tool calls, JSON, reasoning. */
import { sampleJson } from "./sample-json.js";

/** A tool the request declared, as the simulator needs it. */
export interface SimTool {
  readonly name: string;
  /** The parameters' JSON Schema, when given. */
  readonly parameters: unknown;
}

/** A parsed request, whatever the wire format. */
export interface SimRequest {
  readonly model: string;
  /** All message text, for counting input tokens. */
  readonly prompt: string;
  readonly maxTokens: number | undefined;
  readonly stream: boolean;
  /** OpenAI: whether the stream should end with a usage chunk. */
  readonly includeUsage: boolean;
  /** Tools declared (empty when none). */
  readonly tools?: readonly SimTool[];
  /** "none": no calls; "required"/a name: must call (a name: that tool); "auto" or absent: calls when tools are given. */
  readonly toolChoice?: "auto" | "none" | "required" | { readonly name: string };
  /** False when the request asked for at most one call per turn. */
  readonly parallelToolCalls?: boolean;
  /** True when the conversation's last turn carries tool results: the model then answers in text. */
  readonly afterToolResult?: boolean;
  /** The answer must be JSON: an object, or one matching a schema. */
  readonly json?: { readonly schema?: unknown };
  /** Images in the request (each costs IMAGE_TOKENS input tokens). */
  readonly images?: number;
  /** The request asked for reasoning. */
  readonly reasoning?: boolean;
}

/** A call the simulated model makes: its arguments in streamed fragments (one output token each). */
export interface SimToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
  readonly fragments: readonly string[];
}

/** One streamed piece of an answer, in order: reasoning first, then text, then tool calls. */
export type SimPiece =
  | { readonly kind: "reasoning"; readonly text: string }
  | { readonly kind: "text"; readonly text: string }
  /** `first` marks a call's first fragment (id and name are sent with it). */
  | { readonly kind: "tool"; readonly call: number; readonly first: boolean; readonly fragment: string };

/** The answer: its pieces (one token each) and usage. */
export interface SimAnswer {
  /** The text chunks, in order (one token each). */
  readonly chunks: readonly string[];
  readonly toolCalls: readonly SimToolCall[];
  /** Reasoning text chunks (one token each); empty when no reasoning was asked for. */
  readonly reasoning: readonly string[];
  /** Everything to stream, in order. */
  readonly pieces: readonly SimPiece[];
  readonly inputTokens: number;
  readonly cachedTokens: number;
  /** Image tokens inside inputTokens. */
  readonly imageTokens: number;
  /** Output tokens the provider reports: the pieces, unless a hostile profile says otherwise. */
  readonly outputTokens: number;
  /** Reasoning tokens inside outputTokens. */
  readonly reasoningTokens: number;
  readonly finish: "stop" | "length" | "tool_calls";
}

/** Knobs of the answer from the endpoint's profile. */
export interface SimAnswerOptions {
  readonly answerWords: number;
  readonly cachedTokens: number;
  readonly reportOutputTokens?: number;
  /** Calls made per tool-calling turn when parallel calls are allowed (default 1). */
  readonly toolCalls?: number;
  /** Answer JSON that does not match the requested schema (a misbehaving model). */
  readonly invalidJson?: boolean;
}

const WORDS = ["The", "gateway", "answers", "from", "a", "simulated", "model", "with", "exact", "usage", "and", "cost"];
const THOUGHTS = ["Let", " me", " think", " this", " through", "."];

/** Input tokens an image costs in the simulator (OpenAI's low-detail figure). */
export const IMAGE_TOKENS = 85;

/** Input tokens of a prompt: one per four characters, at least one (like common tokenizers, roughly). */
export function countInputTokens(prompt: string): number {
  return Math.max(1, Math.ceil(prompt.length / 4));
}

/** Splits text into fragments of at most `size` characters. */
export function fragments(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [""];
}

/** The tools the model calls this turn, or none. */
function toolsToCall(req: SimRequest, count: number): SimTool[] {
  const tools = req.tools ?? [];
  const choice = req.toolChoice ?? "auto";
  if (tools.length === 0 || choice === "none" || req.afterToolResult) return [];
  if (typeof choice === "object") return tools.filter((t) => t.name === choice.name).slice(0, 1);
  const n = req.parallelToolCalls === false ? 1 : Math.max(1, count);
  return tools.slice(0, n);
}

/** The answer's text tokens: words, or JSON in fragments when JSON was asked for. */
function textChunks(req: SimRequest, opts: SimAnswerOptions): string[] {
  if (req.json) {
    const value = opts.invalidJson ? { unexpected: true } : req.json.schema !== undefined ? sampleJson(req.json.schema) : { answer: WORDS.join(" ") };
    return fragments(JSON.stringify(value), 6);
  }
  const chunks: string[] = [];
  for (let i = 0; i < opts.answerWords; i++) chunks.push((i === 0 ? "" : " ") + (WORDS[i % WORDS.length] ?? "x"));
  return chunks;
}

/** Builds the answer to a request, cut at max_tokens (reporting `reportOutputTokens` when given). */
export function answer(req: SimRequest, opts: SimAnswerOptions): SimAnswer {
  const limit = req.maxTokens ?? Number.MAX_SAFE_INTEGER;
  const reasoning = req.reasoning ? THOUGHTS.slice(0, limit) : [];
  const calling = toolsToCall(req, opts.toolCalls ?? 1);
  const calls: SimToolCall[] = calling.map((t, i) => {
    const args = JSON.stringify(sampleJson(t.parameters ?? { type: "object" }));
    // Ids differ from turn to turn (the prompt grows), as a real provider's do.
    return { id: `call_${req.prompt.length}_${i}`, name: t.name, arguments: args, fragments: fragments(args, 5) };
  });
  const pieces: SimPiece[] = reasoning.map((text) => ({ kind: "reasoning", text }));
  let budget = limit - reasoning.length;
  const chunks: string[] = [];
  let cut = false;
  if (calls.length === 0) {
    const all = textChunks(req, opts);
    chunks.push(...all.slice(0, Math.max(0, budget)));
    cut = chunks.length < all.length;
    budget -= chunks.length;
    for (const text of chunks) pieces.push({ kind: "text", text });
  }
  calls.forEach((c, call) => c.fragments.forEach((fragment, i) => pieces.push({ kind: "tool", call, first: i === 0, fragment })));
  const imageTokens = (req.images ?? 0) * IMAGE_TOKENS;
  const inputTokens = countInputTokens(req.prompt) + imageTokens;
  const sent = pieces.length;
  return {
    chunks,
    toolCalls: calls,
    reasoning,
    pieces,
    inputTokens,
    cachedTokens: Math.min(opts.cachedTokens, inputTokens),
    imageTokens,
    outputTokens: opts.reportOutputTokens ?? sent,
    reasoningTokens: reasoning.length,
    finish: calls.length > 0 ? "tool_calls" : cut || reasoning.length >= limit ? "length" : "stop",
  };
}

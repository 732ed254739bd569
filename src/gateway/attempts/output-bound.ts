/**
 * Bounds of what one answer may be, decided over what the core relays. Pure.
 *
 * Past max_tokens. A provider that honours max_tokens N cannot send more than N tokens of output (text, reasoning,
 * refusal, tool-call arguments: max_tokens caps them all, thinking included). What the core sees is characters
 * and events, not tokens, so a stop must rest on a LOWER bound of the tokens sent, never an estimate: a stream is
 * stopped only when it cannot have honoured N.
 * - Characters give a weak lower bound: a token is at least one byte, but it may also be a long run ("=" x 32,
 *   runs of spaces in code tokenizers), so a token can stand for tens of characters. (The converse, "a token is
 *   at least one character", bounds tokens from ABOVE and says nothing about passing N.) The rule takes at most
 *   CHARS_PER_TOKEN characters per token, far above any real average (3-5), and a stream is past N once its
 *   characters pass MARGIN x that, plus SLACK tokens' worth.
 * - Events give a strong one: every output event a provider streams carries at least one token of output (a
 *   token's bytes are not split across events, and each text event is at least one token), so a stream is past N
 *   once its non-empty output events pass MARGIN x N + SLACK. This is what stops a provider that streams forever.
 * N is the request's max_tokens, else the model's context window (no output can exceed it); without either there
 * is no bound here (the total timeout and the answer size remain). The model's defaultMaxTokens is not used: only
 * the Anthropic wire format sends it, and OpenAI or Gemini without max_tokens may answer well past it.
 *
 * Answer size. The done summary of a stream holds the assembled tool calls, the refusal and the reasoning blocks
 * (and, for an answer held for a check, the text, sent in one message); a unary answer holds everything. Their
 * UTF-8 bytes, plus a fixed allowance per part and per attempt for field tags and the attempt list, bound the
 * encoded message from above (a protobuf string costs its bytes plus a few; Connect JSON escapes more, and is
 * sent over HTTP/1.1 where the client's limit is its own).
 */
import type { ModelConfig } from "../../config/schema.js";
import type { ChatRequest, StreamEvent } from "../../providers/types.js";
import type { Answer } from "../types.js";

/** How many times max_tokens a stream may seem to pass before it is stopped, and the tokens allowed on top. */
const MARGIN = 2;
const SLACK = 64;
/** The most characters one token is taken to stand for. */
const CHARS_PER_TOKEN = 32;
/** Encoding allowance of each part of an answer (field tags, lengths, ids) and of each attempt in its list. */
const PER_PART = 64;
const PER_ATTEMPT = 512;
const BASE = 1024;

/** Why a stream was stopped. */
export type OutputProblem = { readonly kind: "past_max_tokens"; readonly reason: string } | { readonly kind: "too_large"; readonly bytes: number };

/** The output token limit a stream is held to: max_tokens, else the context window, else none. */
export function outputLimit(chat: ChatRequest, model: ModelConfig): number | undefined {
  return chat.params.maxTokens ?? model.contextWindow;
}

/** Counts a stream's output and says when it passes max_tokens by the margin, or when its summary passes the answer size. */
export class OutputBound {
  readonly #maxEvents: number;
  readonly #maxChars: number;
  readonly #maxBytes: number;
  readonly #holdsText: boolean;
  #events = 0;
  #chars = 0;
  #bytes = BASE;

  /** `limit`: the output token limit (none: no max_tokens stop); `maxBytes`: the answer size; `holdsText`: the text is sent in the summary. */
  constructor(limit: number | undefined, maxBytes: number, holdsText: boolean) {
    this.#maxEvents = limit === undefined ? Infinity : MARGIN * limit + SLACK;
    this.#maxChars = limit === undefined ? Infinity : CHARS_PER_TOKEN * (MARGIN * limit + SLACK);
    this.#maxBytes = maxBytes;
    this.#holdsText = holdsText;
  }

  /** Takes one provider event; the problem once the stream is past a bound, else undefined. */
  add(ev: StreamEvent): OutputProblem | undefined {
    switch (ev.type) {
      case "delta":
      case "reasoning":
      case "refusal":
        this.#output(ev.text);
        if (ev.type === "refusal" || (ev.type === "delta" && this.#holdsText)) this.#bytes += utf8(ev.text);
        break;
      case "tool_call": {
        const d = ev.delta;
        this.#output(d.arguments);
        this.#bytes += utf8(d.arguments) + (d.id ? utf8(d.id) : 0) + (d.name ? utf8(d.name) : 0) + (d.signature ? utf8(d.signature) : 0);
        break;
      }
      case "reasoning_block":
        this.#bytes += PER_PART + blockBytes(ev.block);
        break;
      case "usage":
      case "finish":
        return undefined;
    }
    if (this.#events > this.#maxEvents || this.#chars > this.#maxChars) {
      return { kind: "past_max_tokens", reason: `provider streamed past max_tokens (${this.#events} output events, ${this.#chars} characters)` };
    }
    return this.#bytes > this.#maxBytes ? { kind: "too_large", bytes: this.#bytes } : undefined;
  }

  #output(text: string): void {
    if (text.length === 0) return;
    this.#events++;
    this.#chars += text.length;
  }
}

/** An upper bound of the encoded size of an answer message with `attempts` attempts, bytes. */
export function answerBytes(answer: Answer, attempts: number): number {
  let bytes = BASE + PER_ATTEMPT * attempts + utf8(answer.text) + (answer.refusal === undefined ? 0 : utf8(answer.refusal));
  for (const c of answer.toolCalls) bytes += PER_PART + utf8(c.id) + utf8(c.name) + utf8(c.arguments) + (c.signature ? utf8(c.signature) : 0);
  for (const b of answer.reasoning) bytes += PER_PART + blockBytes(b);
  return bytes;
}

/** The message a client gets for an answer over the size limit. */
export function tooLargeMessage(bytes: number, limit: number): string {
  return `the answer is about ${bytes} bytes, over the server's limit of ${limit} bytes (server.maxResponseBytes); ask for less output (max_tokens)`;
}

function blockBytes(b: Answer["reasoning"][number]): number {
  return (b.text ? utf8(b.text) : 0) + (b.signature ? utf8(b.signature) : 0) + (b.redacted ? utf8(b.redacted) : 0);
}

function utf8(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

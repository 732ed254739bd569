/**
 * The contract's stream -> Anthropic's SSE event sequence: message_start, then per content block
 * content_block_start / content_block_delta (text_delta, input_json_delta, thinking_delta, signature_delta) /
 * content_block_stop with indices in order, then message_delta (stop reason, usage, the gateway's extras in
 * `llmgateway`) and message_stop. A failure after the start is an `error` event.
 *
 * Anthropic sends a thinking block's signature (signature_delta) just before the block's stop, which comes before
 * the next block starts. The contract's `reasoning_block` event brings it when the provider finished the block, and
 * the block closes then. A provider that gives no such event before the next output (the state comes only in the
 * summary) makes what follows wait: it is held back and written, signatures in place, when the summary arrives
 * (with a `ping` every few seconds meanwhile, which Anthropic's streams may carry at any time).
 */
import type { CompleteResponse, StreamCompleteResponse } from "../../../../gen/llmgateway/v1/gateway_pb.js";
import type { ReasoningBlock } from "../../../../gen/llmgateway/v1/content_pb.js";
import { anthropicUsage, contentBlocks, messageId, stopReason } from "./response.js";
import { callSignatureBlocks, SHOWN_SIGNATURE, signatureOf } from "./reasoning.js";

/** One server-sent event in Anthropic's framing. */
export function sseEvent(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The open content block. */
type Open = { readonly kind: "text" | "thinking"; readonly index: number } | { readonly kind: "tool"; readonly index: number; readonly call: number };

/** A thinking block's close, waiting for its signature from the summary (the n-th thinking block of the stream). */
interface PendingClose {
  readonly thinking: number;
  readonly index: number;
}

/** What the encoder needs besides the events. */
export interface StreamEncoderOptions {
  /** The model named in message_start (the request's; the served one is in the extras). */
  readonly model: string;
  /** The request id, for the message id. */
  readonly requestId: string;
  /** The gateway's extras for the summary, put into message_delta as `llmgateway`. */
  readonly extras: (summary: CompleteResponse) => Record<string, string | number>;
  /** A monotonic clock, ms: while output is held, a `ping` goes out every PING_EVERY_MS so the line is not idle. */
  readonly now: () => number;
}

/** How often a held stream sends a ping, ms. */
export const PING_EVERY_MS = 5_000;

/** Turns the contract's stream messages into Anthropic's events; each call returns the text to write now. */
export class AnthropicStreamEncoder {
  readonly #options: StreamEncoderOptions;
  #started = false;
  #finished = false;
  #next = 0;
  #open: Open | undefined;
  #thinkingRuns = 0;
  #sawText = false;
  /** Tool calls by the contract's index: their block index and whether any argument fragment was sent. */
  readonly #calls = new Map<number, { index: number; fragments: boolean }>();
  /** Set once output is held back for a thinking signature; then everything goes here until the summary. */
  #held: Array<string | PendingClose> | undefined;
  /** When the last ping of a held stream went out (or the hold began). */
  #lastPing = 0;

  constructor(options: StreamEncoderOptions) {
    this.#options = options;
  }

  /** True once message_stop (or an error event) was produced. */
  get finished(): boolean {
    return this.#finished;
  }

  /** The events for one message of the contract's stream. */
  push(m: StreamCompleteResponse): string {
    const out: Array<string | PendingClose> = this.#start();
    const ev = m.event;
    switch (ev.case) {
      case "reasoning":
        if (this.#open?.kind !== "thinking") this.#begin(out, "thinking", { type: "thinking", thinking: "", signature: "" });
        out.push(delta(this.#index(), { type: "thinking_delta", thinking: ev.value.text }));
        break;
      case "delta":
        if (ev.value.text === "") break;
        if (this.#open?.kind !== "text") this.#begin(out, "text", { type: "text", text: "" });
        this.#sawText = true;
        out.push(delta(this.#index(), { type: "text_delta", text: ev.value.text }));
        break;
      case "toolCall":
        this.#toolCall(out, ev.value.index, ev.value.id, ev.value.name, ev.value.arguments);
        break;
      case "reasoningBlock":
        this.#signed(out, ev.value);
        break;
      case "summary":
        return this.#summary(out, ev.value);
      default:
        break;
    }
    return this.#emit(out);
  }

  /** The error event that ends a stream after its start. */
  error(body: Record<string, unknown>): string {
    this.#finished = true;
    const pending = this.#held === undefined ? "" : this.#flush([], []);
    return `${pending}${sseEvent("error", body)}`;
  }

  #start(): Array<string | PendingClose> {
    if (this.#started) return [];
    this.#started = true;
    const { model, requestId } = this.#options;
    const message = { id: messageId(requestId), type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: {} };
    return [sseEvent("message_start", { type: "message_start", message }), sseEvent("ping", { type: "ping" })];
  }

  #index(): number {
    return this.#open?.index ?? 0;
  }

  /** Closes the open block and starts another. */
  #begin(out: Array<string | PendingClose>, kind: "text" | "thinking", block: Record<string, unknown>): number {
    this.#close(out);
    const index = this.#next++;
    this.#open = { kind, index };
    out.push(sseEvent("content_block_start", { type: "content_block_start", index, content_block: block }));
    return index;
  }

  /**
   * A thinking block finished upstream with its state: its signature_delta and stop go out now, so what follows is
   * not held. (Other state, such as redacted blocks, stays for the summary, which repeats every block.)
   */
  #signed(out: Array<string | PendingClose>, block: ReasoningBlock): void {
    const open = this.#open;
    if (open?.kind !== "thinking" || block.redacted !== "" || this.#held !== undefined) return;
    this.#open = undefined;
    this.#thinkingRuns++;
    out.push(delta(open.index, { type: "signature_delta", signature: signatureOf(block) }), stop(open.index));
  }

  #close(out: Array<string | PendingClose>): void {
    const open = this.#open;
    if (open === undefined) return;
    this.#open = undefined;
    if (open.kind === "thinking") {
      // The signature comes with the summary: hold everything from here on.
      out.push({ thinking: this.#thinkingRuns++, index: open.index });
      return;
    }
    if (open.kind === "tool") {
      const call = this.#calls.get(open.call);
      // A call without fragments still gives valid JSON to clients that join the fragments (TOOLS.md section 9).
      if (call && !call.fragments) out.push(delta(open.index, { type: "input_json_delta", partial_json: "{}" }));
    }
    out.push(stop(open.index));
  }

  #toolCall(out: Array<string | PendingClose>, callIndex: number, id: string, name: string, args: string): void {
    let call = this.#calls.get(callIndex);
    if (call === undefined) {
      this.#close(out);
      const index = this.#next++;
      call = { index, fragments: false };
      this.#calls.set(callIndex, call);
      this.#open = { kind: "tool", index, call: callIndex };
      const block = { type: "tool_use", id: id || `toolu_gw_${callIndex}`, name, input: {} };
      out.push(sseEvent("content_block_start", { type: "content_block_start", index, content_block: block }));
    }
    if (args === "") return;
    call.fragments = true;
    out.push(delta(call.index, { type: "input_json_delta", partial_json: args }));
  }

  #summary(out: Array<string | PendingClose>, s: CompleteResponse): string {
    this.#close(out);
    const thinking = s.reasoning.filter((b) => b.redacted === "");
    const tail: string[] = [];
    // Reasoning the stream did not show (redacted blocks, or more blocks than thinking runs), a refusal given only in
    // the summary, calls it did not stream, and the streamed calls' own signatures: whole blocks, so that the answer
    // is complete and sends back everything the next turn needs.
    const extra = [...s.reasoning.filter((b) => b.redacted !== ""), ...thinking.slice(this.#thinkingRuns)];
    const unstreamed = s.toolCalls.filter((_, i) => !this.#calls.has(i));
    const refusal = this.#sawText ? "" : s.refusal;
    const whole = [...contentBlocks(extra, refusal, unstreamed), ...callSignatureBlocks(s.toolCalls.filter((_, i) => this.#calls.has(i)))];
    for (const block of whole) tail.push(...wholeBlock(this.#next++, block));
    const message = { type: "message_delta", delta: { stop_reason: stopReason(s), stop_sequence: null }, usage: anthropicUsage(s.usage), llmgateway: this.#options.extras(s) };
    tail.push(sseEvent("message_delta", message), sseEvent("message_stop", { type: "message_stop" }));
    this.#finished = true;
    return this.#flush(out, tail, thinking);
  }

  /** Writes what is held (signatures in place) and `out`; or holds `out` when a signature is still to come. */
  #emit(out: Array<string | PendingClose>): string {
    if (this.#held !== undefined) {
      this.#held.push(...out);
      const now = this.#options.now();
      if (now - this.#lastPing < PING_EVERY_MS) return "";
      this.#lastPing = now;
      return sseEvent("ping", { type: "ping" });
    }
    const firstPending = out.findIndex((p) => typeof p !== "string");
    if (firstPending < 0) return out.join("");
    this.#held = out.slice(firstPending);
    this.#lastPing = this.#options.now();
    return out.slice(0, firstPending).join("");
  }

  #flush(out: Array<string | PendingClose>, tail: readonly string[], thinking: readonly ReasoningBlock[] = []): string {
    const all = [...(this.#held ?? []), ...out, ...tail];
    this.#held = undefined;
    return all.map((p) => (typeof p === "string" ? p : closeThinking(p, thinking[p.thinking]))).join("");
  }
}

function delta(index: number, d: Record<string, unknown>): string {
  return sseEvent("content_block_delta", { type: "content_block_delta", index, delta: d });
}

function stop(index: number): string {
  return sseEvent("content_block_stop", { type: "content_block_stop", index });
}

/** A thinking block's end: its signature (marked as shown only when the summary had no state for it), then its stop. */
function closeThinking(p: PendingClose, block: ReasoningBlock | undefined): string {
  return `${delta(p.index, { type: "signature_delta", signature: block === undefined ? SHOWN_SIGNATURE : signatureOf(block) })}${stop(p.index)}`;
}

/** A block known whole, as Anthropic streams one: start, its content as one delta, stop. */
function wholeBlock(index: number, block: Record<string, unknown>): string[] {
  const type = block["type"];
  const start = (content: Record<string, unknown>): string => sseEvent("content_block_start", { type: "content_block_start", index, content_block: content });
  if (type === "thinking") {
    return [start({ type, thinking: "", signature: "" }), delta(index, { type: "thinking_delta", thinking: block["thinking"] }), delta(index, { type: "signature_delta", signature: block["signature"] }), stop(index)];
  }
  if (type === "text") return [start({ type, text: "" }), delta(index, { type: "text_delta", text: block["text"] }), stop(index)];
  if (type === "tool_use") {
    return [start({ ...block, input: {} }), delta(index, { type: "input_json_delta", partial_json: JSON.stringify(block["input"]) }), stop(index)];
  }
  return [start(block), stop(index)];
}

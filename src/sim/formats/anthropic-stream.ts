/** The SSE events of a simulated Messages stream: thinking, text and tool_use blocks, as the real API sends them. */
import type { SimAnswer, SimPiece, SimRequest } from "../answer.js";
import { sse } from "./format.js";
import type { SimStreamWriter } from "./format.js";
import { simSignature } from "./anthropic-validate.js";

/** Usage as Anthropic reports it: `input_tokens` excludes the cache reads; thinking tokens only when thinking ran. */
export function simUsage(answer: SimAnswer, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: answer.inputTokens - answer.cachedTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: answer.cachedTokens,
    output_tokens: outputTokens,
    ...(answer.reasoning.length > 0 ? { output_tokens_details: { thinking_tokens: answer.reasoningTokens } } : {}),
  };
}

/** The stop_reason of an answer. */
export function simStopReason(answer: SimAnswer): string {
  return answer.finish === "tool_calls" ? "tool_use" : answer.finish === "length" ? "max_tokens" : "end_turn";
}

/** The block being written: its kind (a call's number for tool_use) and the thinking text so far. */
interface Open {
  readonly kind: "thinking" | "text" | "tool";
  readonly call: number;
  thinking: string;
}

/** Writes one streamed answer; opens a block per run of pieces of one kind (one per tool call). */
export class AnthropicSimStream implements SimStreamWriter {
  readonly #req: SimRequest;
  readonly #answer: SimAnswer;
  #open: Open | undefined;
  /** The index of the next block. */
  #index = 0;

  constructor(req: SimRequest, answer: SimAnswer) {
    this.#req = req;
    this.#answer = answer;
  }

  start(): string[] {
    const message = { id: "msg_sim", type: "message", role: "assistant", content: [], model: this.#req.model, stop_reason: null, stop_sequence: null, usage: simUsage(this.#answer, 1) };
    return [sse({ type: "message_start", message }, "message_start"), sse({ type: "ping" }, "ping")];
  }

  piece(p: SimPiece): string[] {
    const out: string[] = [];
    const kind = p.kind === "reasoning" ? "thinking" : p.kind;
    const call = p.kind === "tool" ? p.call : -1;
    if (this.#open?.kind !== kind || (p.kind === "tool" && p.first)) out.push(...this.#close(), ...this.#begin(kind, call));
    const index = this.#index - 1;
    const open = this.#open;
    if (p.kind === "reasoning" && open) {
      open.thinking += p.text;
      out.push(delta(index, { type: "thinking_delta", thinking: p.text }));
    } else if (p.kind === "text") out.push(delta(index, { type: "text_delta", text: p.text }));
    else if (p.kind === "tool") out.push(delta(index, { type: "input_json_delta", partial_json: p.fragment }));
    return out;
  }

  end(): string[] {
    const out = this.#index === 0 ? this.#begin("text", -1) : [];
    out.push(...this.#close());
    const stop = { type: "message_delta", delta: { stop_reason: simStopReason(this.#answer), stop_sequence: null }, usage: { output_tokens: this.#answer.outputTokens, ...outputDetails(this.#answer) } };
    return [...out, sse(stop, "message_delta"), sse({ type: "message_stop" }, "message_stop")];
  }

  /** Opens a block; a tool_use block starts with `input: {}` and an empty fragment, as the real API's do. */
  #begin(kind: Open["kind"], call: number): string[] {
    const index = this.#index++;
    this.#open = { kind, call, thinking: "" };
    if (kind === "thinking") return [start(index, { type: "thinking", thinking: "", signature: "" })];
    if (kind === "text") return [start(index, { type: "text", text: "" })];
    const c = this.#answer.toolCalls[call];
    return [start(index, { type: "tool_use", id: c?.id ?? `call_${call}`, name: c?.name ?? "", input: {} }), delta(index, { type: "input_json_delta", partial_json: "" })];
  }

  /** Closes the open block; a thinking block gets its signature just before its stop. */
  #close(): string[] {
    const open = this.#open;
    if (!open) return [];
    this.#open = undefined;
    const index = this.#index - 1;
    const stop = sse({ type: "content_block_stop", index }, "content_block_stop");
    return open.kind === "thinking" ? [delta(index, { type: "signature_delta", signature: simSignature(open.thinking) }), stop] : [stop];
  }
}

/** message_delta usage details: thinking tokens, when thinking ran. */
function outputDetails(answer: SimAnswer): Record<string, unknown> {
  return answer.reasoning.length > 0 ? { output_tokens_details: { thinking_tokens: answer.reasoningTokens } } : {};
}

function start(index: number, block: Record<string, unknown>): string {
  return sse({ type: "content_block_start", index, content_block: block }, "content_block_start");
}

function delta(index: number, d: Record<string, unknown>): string {
  return sse({ type: "content_block_delta", index, delta: d }, "content_block_delta");
}

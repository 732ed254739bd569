/** Decodes `streamGenerateContent?alt=sse`: each event is a whole GenerateContentResponse, the last has a finishReason. */
import { ProviderError } from "../errors.js";
import { isObject, tryJson } from "../headers.js";
import type { FinishReason, StreamEvent, Usage } from "../types.js";
import type { SseEvent, StreamDecoder } from "../wire.js";
import { geminiStreamError, readGeminiError } from "./errors.js";
import { CallIds, mapFinishReason, readPiece } from "./response.js";
import type { GeminiPart } from "./response.js";

/**
 * One decoder per stream. Each functionCall part arrives whole, so it becomes ONE tool_call delta (id, name, whole
 * arguments, signature) with a fresh index counted over the whole stream, however the calls are spread over chunks.
 */
export class GeminiStreamDecoder implements StreamDecoder {
  readonly #ids: CallIds;
  #usage: Usage = {};
  #finish: FinishReason | undefined;
  #model: string | undefined;
  #calls = 0;

  constructor(fresh: () => string) {
    this.#ids = new CallIds(fresh);
  }

  push(event: SseEvent): StreamEvent[] {
    const chunk = tryJson(event.data);
    if (readGeminiError(chunk) !== undefined) throw geminiStreamError(chunk, this.#usage);
    if (!isObject(chunk)) {
      throw new ProviderError({ kind: "invalid_response", reason: "malformed stream chunk", usage: this.#usage });
    }
    const piece = readPiece(chunk, this.#usage);
    this.#model ??= piece.model;
    const out = piece.parts.map((p) => this.#event(p, piece.responseId));
    if (piece.finish !== undefined && piece.finish !== null) this.#finish = mapFinishReason(piece.finish);
    if (piece.usage !== undefined) {
      // Cumulative: each report replaces the last.
      this.#usage = piece.usage;
      out.push({ type: "usage", usage: piece.usage });
    }
    return out;
  }

  end(): StreamEvent[] {
    if (this.#finish === undefined) {
      throw new ProviderError({ kind: "network", reason: "stream ended without finishReason", usage: this.#usage });
    }
    // Gemini says STOP for calls too; a later chunk without calls must not turn tool_calls back into stop.
    const reason = this.#calls > 0 ? "tool_calls" : this.#finish;
    return [{ type: "finish", reason, ...(this.#model ? { responseModel: this.#model } : {}) }];
  }

  #event(p: GeminiPart, responseId: string | undefined): StreamEvent {
    switch (p.kind) {
      case "text":
        return { type: "delta", text: p.text };
      case "thought":
        return { type: "reasoning", text: p.text };
      case "signature":
        return { type: "reasoning_block", block: { format: "gemini", signature: p.signature } };
      case "call": {
        const index = this.#calls++;
        const id = this.#ids.id(p.id, responseId, index);
        return { type: "tool_call", delta: { index, id, name: p.name, arguments: p.arguments, ...(p.signature !== undefined ? { signature: p.signature } : {}) } };
      }
    }
  }
}

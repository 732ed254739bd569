/** Decodes a Messages stream: text, tool_use (input_json_delta), thinking (thinking_delta, signature_delta) blocks. */
import { ProviderError } from "../errors.js";
import { isObject, str, tryJson } from "../headers.js";
import type { FinishReason, StreamEvent, Usage } from "../types.js";
import type { SseEvent, StreamDecoder } from "../wire.js";
import { anthropicStreamError } from "./errors.js";
import { reasoningOf } from "./response.js";
import { mapStopReason, mergeUsage, normalise } from "./usage.js";
import type { RawUsage } from "./usage.js";

/** An open content block: a tool call (our index, whether arguments came) or a thinking block being gathered. */
type OpenBlock =
  | { readonly kind: "tool"; readonly call: number; args: boolean }
  | { readonly kind: "thinking"; text: string; signature: string }
  | { readonly kind: "other" };

/** Decodes the named events of a Messages stream; `message_stop` marks a complete stream. */
export class AnthropicStreamDecoder implements StreamDecoder {
  #done = false;
  readonly #raw: RawUsage = {};
  #finish: FinishReason | undefined;
  #model: string | undefined;
  /** Open blocks by the stream's block index. */
  readonly #blocks = new Map<number, OpenBlock>();
  /** Calls started so far: the next call's index. */
  #calls = 0;

  push(event: SseEvent): StreamEvent[] {
    const data = tryJson(event.data);
    if (!isObject(data)) {
      throw new ProviderError({ kind: "invalid_response", reason: "malformed stream event", usage: this.#usage() });
    }
    switch (str(data["type"]) ?? event.event) {
      case "message_start":
        return this.#start(data["message"]);
      case "content_block_start":
        return this.#blockStart(data);
      case "content_block_delta":
        return this.#blockDelta(data);
      case "content_block_stop":
        return this.#blockStop(data);
      case "message_delta":
        return this.#delta(data);
      case "message_stop":
        this.#done = true;
        return [];
      case "error":
        throw anthropicStreamError(data, this.#usage());
      default:
        // ping, and event types added after this was written.
        return [];
    }
  }

  end(): StreamEvent[] {
    if (!this.#done) {
      throw new ProviderError({ kind: "network", reason: "stream ended without message_stop", usage: this.#usage() });
    }
    const reason = this.#calls > 0 ? "tool_calls" : (this.#finish ?? "unspecified");
    return [{ type: "finish", reason, ...(this.#model ? { responseModel: this.#model } : {}) }];
  }

  #usage(): Usage {
    return normalise(this.#raw);
  }

  /** message_start: input and cache counts. Its output_tokens is a placeholder, final only in message_delta. */
  #start(message: unknown): StreamEvent[] {
    if (!isObject(message)) return [];
    this.#model ??= str(message["model"]);
    const usage = message["usage"];
    if (!isObject(usage)) return [];
    mergeUsage(this.#raw, { ...usage, output_tokens: undefined });
    return [{ type: "usage", usage: this.#usage() }];
  }

  /** A block opens: a call gets our next index (its `input: {}` is never arguments); redacted thinking is whole here. */
  #blockStart(data: Record<string, unknown>): StreamEvent[] {
    const block = isObject(data["content_block"]) ? data["content_block"] : {};
    const index = blockIndex(data);
    switch (block["type"]) {
      case "text":
        this.#blocks.set(index, { kind: "other" });
        return textEvent(block["text"]);
      case "tool_use": {
        const call = this.#calls++;
        this.#blocks.set(index, { kind: "tool", call, args: false });
        const id = str(block["id"]) ?? "";
        const name = str(block["name"]) ?? "";
        return [{ type: "tool_call", delta: { index: call, id, name, arguments: "" } }];
      }
      case "thinking": {
        const text = str(block["thinking"]) ?? "";
        this.#blocks.set(index, { kind: "thinking", text, signature: str(block["signature"]) ?? "" });
        return text.length > 0 ? [{ type: "reasoning", text }] : [];
      }
      default: {
        this.#blocks.set(index, { kind: "other" });
        const redacted = reasoningOf(block);
        return redacted ? [{ type: "reasoning_block", block: redacted }] : [];
      }
    }
  }

  #blockDelta(data: Record<string, unknown>): StreamEvent[] {
    const delta = isObject(data["delta"]) ? data["delta"] : {};
    const open = this.#blocks.get(blockIndex(data));
    switch (delta["type"]) {
      case "text_delta":
        return textEvent(delta["text"]);
      case "input_json_delta": {
        const fragment = str(delta["partial_json"]) ?? "";
        if (open?.kind !== "tool" || fragment.length === 0) return [];
        open.args = true;
        return [{ type: "tool_call", delta: { index: open.call, arguments: fragment } }];
      }
      case "thinking_delta": {
        const text = str(delta["thinking"]) ?? "";
        if (open?.kind === "thinking") open.text += text;
        return text.length > 0 ? [{ type: "reasoning", text }] : [];
      }
      case "signature_delta":
        if (open?.kind === "thinking") open.signature += str(delta["signature"]) ?? "";
        return [];
      default:
        return [];
    }
  }

  /** A block closes: a call without arguments gets "{}"; a thinking block is sent whole with its signature. */
  #blockStop(data: Record<string, unknown>): StreamEvent[] {
    const index = blockIndex(data);
    const open = this.#blocks.get(index);
    this.#blocks.delete(index);
    if (open?.kind === "tool" && !open.args) return [{ type: "tool_call", delta: { index: open.call, arguments: "{}" } }];
    if (open?.kind === "thinking") {
      const block = { format: "anthropic" as const, text: open.text, ...(open.signature ? { signature: open.signature } : {}) };
      return [{ type: "reasoning_block", block }];
    }
    return [];
  }

  /** message_delta: stop_reason and the final (cumulative) usage. */
  #delta(data: Record<string, unknown>): StreamEvent[] {
    const delta = data["delta"];
    if (isObject(delta) && typeof delta["stop_reason"] === "string") this.#finish = mapStopReason(delta["stop_reason"]);
    if (!isObject(data["usage"])) return [];
    mergeUsage(this.#raw, data["usage"]);
    return [{ type: "usage", usage: this.#usage() }];
  }
}

/** The block index of a content_block_* event (-1 when missing). */
function blockIndex(data: Record<string, unknown>): number {
  return typeof data["index"] === "number" ? data["index"] : -1;
}

/** A delta event for a text, none when empty. */
function textEvent(text: unknown): StreamEvent[] {
  return typeof text === "string" && text.length > 0 ? [{ type: "delta", text }] : [];
}

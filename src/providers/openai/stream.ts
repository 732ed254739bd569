/** OpenAI `chat.completion.chunk` events -> stream events: text, tool-call deltas, reasoning, refusal, usage. */
import { ProviderError } from "../errors.js";
import { isObject, str, tryJson } from "../headers.js";
import type { FinishReason, StreamEvent, Usage } from "../types.js";
import type { SseEvent, StreamDecoder } from "../wire.js";
import { mapFinish, readSignature, readUsage, throwIfError } from "./response.js";

/** A call being streamed: our index, its upstream id, and what was sent of it. */
interface OpenCall {
  readonly index: number;
  id: string | undefined;
  /** Gemini's thought signature, sent with the first delta when it came before the name. */
  signature: string | undefined;
  /** The first delta (id and name) went out. */
  started: boolean;
  name: string | undefined;
  /** Arguments seen before the name arrived (sent with the first delta). */
  pending: string;
  hasArguments: boolean;
}

/**
 * Decodes `data: {chunk}` events; `[DONE]` marks a complete stream. Tool-call fragments are keyed by upstream
 * index, except that a fragment with a new id and a name at a used index starts a new call (Ollama reuses index 0
 * for parallel calls) while a repeated or fresh id without a name continues the call (servers resending ids).
 */
export class OpenAiStreamDecoder implements StreamDecoder {
  #done = false;
  #usage: Usage = {};
  #finish: FinishReason | undefined;
  #model: string | undefined;
  #reasoning = "";
  readonly #calls: OpenCall[] = [];
  readonly #byUpstream = new Map<number, OpenCall>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  push(event: SseEvent): StreamEvent[] {
    if (event.data === "[DONE]") {
      this.#done = true;
      return [];
    }
    const chunk = tryJson(event.data);
    throwIfError(chunk, this.#now);
    if (!isObject(chunk)) throw malformed("malformed stream chunk");
    this.#model ??= str(chunk["model"]);
    const out: StreamEvent[] = [];
    const choices = chunk["choices"];
    const choice: unknown = Array.isArray(choices) ? choices[0] : undefined;
    if (isObject(choice)) {
      const delta = choice["delta"];
      if (isObject(delta)) this.#delta(delta, out);
      if (choice["finish_reason"] !== null && choice["finish_reason"] !== undefined) {
        this.#finish = mapFinish(choice["finish_reason"]);
      }
    }
    if (isObject(chunk["usage"])) {
      this.#usage = readUsage(chunk["usage"]);
      out.push({ type: "usage", usage: this.#usage });
    }
    return out;
  }

  end(): StreamEvent[] {
    if (!this.#done) {
      throw new ProviderError({ kind: "network", reason: "stream ended without [DONE]", usage: this.#usage });
    }
    const out: StreamEvent[] = [];
    for (const c of this.#calls) {
      if (!c.started) throw malformed("streamed tool call without a name");
      // A call whose arguments never arrived takes none: "{}", so the joined arguments are JSON.
      if (!c.hasArguments) out.push({ type: "tool_call", delta: { index: c.index, arguments: "{}" } });
    }
    if (this.#reasoning !== "") out.push({ type: "reasoning_block", block: { format: "openai", text: this.#reasoning } });
    const reason = this.#calls.length > 0 ? "tool_calls" : (this.#finish ?? "unspecified");
    out.push({ type: "finish", reason, ...(this.#model ? { responseModel: this.#model } : {}) });
    return out;
  }

  #delta(delta: Record<string, unknown>, out: StreamEvent[]): void {
    const reasoning = str(delta["reasoning_content"]);
    if (reasoning) {
      this.#reasoning += reasoning;
      out.push({ type: "reasoning", text: reasoning });
    }
    const content = str(delta["content"]);
    if (content) out.push({ type: "delta", text: content });
    const refusal = str(delta["refusal"]);
    if (refusal) out.push({ type: "refusal", text: refusal });
    const calls = delta["tool_calls"];
    if (Array.isArray(calls)) for (const fragment of calls) this.#fragment(fragment, out);
  }

  #fragment(fragment: unknown, out: StreamEvent[]): void {
    if (!isObject(fragment)) throw malformed("malformed tool call fragment");
    const fn = isObject(fragment["function"]) ? fragment["function"] : {};
    const id = str(fragment["id"]) || undefined;
    const name = str(fn["name"]) || undefined;
    const args = str(fn["arguments"]) ?? (isObject(fn["arguments"]) ? JSON.stringify(fn["arguments"]) : "");
    const signature = readSignature(fragment);
    const call = this.#callFor(typeof fragment["index"] === "number" ? fragment["index"] : undefined, id, name);
    call.name ??= name;
    call.signature ??= signature;
    if (args !== "") call.hasArguments = true;
    if (!call.started) {
      call.id ??= id;
      call.pending += args;
      if (call.name === undefined) return;
      call.started = true;
      const first = { index: call.index, id: call.id ?? `call_${call.index}`, name: call.name, arguments: call.pending };
      out.push({ type: "tool_call", delta: { ...first, ...(call.signature !== undefined ? { signature: call.signature } : {}) } });
      return;
    }
    if (args !== "" || signature !== undefined) {
      out.push({ type: "tool_call", delta: { index: call.index, arguments: args, ...(signature !== undefined ? { signature } : {}) } });
    }
  }

  /** The call a fragment belongs to; without an index, the last call unless the fragment starts a new one. */
  #callFor(upstream: number | undefined, id: string | undefined, name: string | undefined): OpenCall {
    const known = upstream === undefined ? this.#calls.at(-1) : this.#byUpstream.get(upstream);
    const fresh = known === undefined || (id !== undefined && known.id !== undefined && id !== known.id && name !== undefined);
    if (known !== undefined && !fresh) return known;
    const call: OpenCall = { index: this.#calls.length, id, signature: undefined, started: false, name: undefined, pending: "", hasArguments: false };
    this.#calls.push(call);
    if (upstream !== undefined) this.#byUpstream.set(upstream, call);
    return call;
  }
}

function malformed(reason: string): ProviderError {
  return new ProviderError({ kind: "invalid_response", reason });
}

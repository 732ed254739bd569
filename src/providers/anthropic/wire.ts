/** Anthropic Messages (`POST /v1/messages`) as a pure wire format. */
import { ProviderError } from "../errors.js";
import { count, header, intHeader, isObject, own, str, tryJson } from "../headers.js";
import type { ChatMessage, ChatResult, FinishReason, StreamEvent, UpstreamCall, Usage } from "../types.js";
import type { HeaderMap, RateLimitHint, SseEvent, StreamDecoder, WireFormat } from "../wire.js";
import { anthropicStreamError, classifyAnthropicError } from "./errors.js";

/** The API version this format speaks. */
export const ANTHROPIC_VERSION = "2023-06-01";

/** Options of the Anthropic wire format. */
export interface AnthropicWireOptions {
  /** Wall clock, epoch ms, for turning reset times and an HTTP-date retry-after into durations (tests pass a fixed one). */
  readonly now: () => number;
}

const FINISH: Record<string, FinishReason> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  refusal: "content_filter",
  tool_use: "other",
  pause_turn: "other",
};

/** Maps an Anthropic stop_reason to ours. */
export function mapStopReason(reason: unknown): FinishReason {
  return typeof reason === "string" ? (own(FINISH, reason) ?? "other") : "unspecified";
}

/** Usage fields as Anthropic reports them; each may be absent. */
interface RawUsage {
  input?: number;
  cacheRead?: number;
  cacheWrite?: number;
  output?: number;
}

/** Overlays the counts present in an Anthropic `usage` object onto `into`. */
function mergeUsage(into: RawUsage, usage: unknown): void {
  if (!isObject(usage)) return;
  const input = count(usage["input_tokens"]);
  const cacheRead = count(usage["cache_read_input_tokens"]);
  const cacheWrite = count(usage["cache_creation_input_tokens"]);
  const output = count(usage["output_tokens"]);
  if (input !== undefined) into.input = input;
  if (cacheRead !== undefined) into.cacheRead = cacheRead;
  if (cacheWrite !== undefined) into.cacheWrite = cacheWrite;
  if (output !== undefined) into.output = output;
}

/** Normalises: Anthropic's `input_tokens` excludes cache reads and writes; ours includes both. */
function normalise(raw: RawUsage): Usage {
  const out: Usage = {};
  if (raw.input !== undefined) out.inputTokens = raw.input + (raw.cacheRead ?? 0) + (raw.cacheWrite ?? 0);
  if (raw.cacheRead !== undefined) out.cachedInputTokens = raw.cacheRead;
  if (raw.cacheWrite !== undefined) out.cacheWriteTokens = raw.cacheWrite;
  if (raw.output !== undefined) out.outputTokens = raw.output;
  return out;
}

/** Reads an Anthropic `usage` object into normalised usage; absent counts stay absent. */
export function readAnthropicUsage(usage: unknown): Usage {
  const raw: RawUsage = {};
  mergeUsage(raw, usage);
  return normalise(raw);
}

/** Anthropic's temperature range is 0..1 (the gateway accepts OpenAI's 0..2). */
const MAX_TEMPERATURE = 1;

/** True when a text is empty or whitespace only, which Anthropic rejects in any message or block. */
function blank(text: string): boolean {
  return text.trim().length === 0;
}

/**
 * Messages without system turns; consecutive turns of one role become one message of text blocks.
 * Blank turns are dropped: Anthropic rejects empty and whitespace-only text (a placeholder such as
 * " " is rejected too) and a blank turn says nothing. A final assistant turn is a prefill, which
 * Anthropic rejects when it ends in whitespace, so its end is trimmed. An assistant-first
 * conversation is sent as is: the Messages API accepts it.
 */
function toMessages(messages: readonly ChatMessage[]): Array<Record<string, unknown>> {
  const out: Array<{ role: string; texts: string[] }> = [];
  for (const m of messages) {
    if (m.role === "system" || blank(m.content)) continue;
    const last = out[out.length - 1];
    if (last && last.role === m.role) last.texts.push(m.content);
    else out.push({ role: m.role, texts: [m.content] });
  }
  const final = out[out.length - 1];
  if (final?.role === "assistant") final.texts.push((final.texts.pop() ?? "").trimEnd());
  return out.map(({ role, texts }) => ({
    role,
    content: texts.length === 1 ? texts[0] : texts.map((text) => ({ type: "text", text })),
  }));
}

/** Throws the classified error when a 2xx body is an error object. */
function throwIfError(body: unknown, now: number): void {
  if (isObject(body) && body["type"] === "error") throw classifyAnthropicError(200, {}, JSON.stringify(body), now);
}

/** Milliseconds from `now` until an RFC 3339 time, or undefined when it does not parse. */
function untilMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Creates the Anthropic Messages wire format. */
export function anthropicWire(options: AnthropicWireOptions): WireFormat {
  const now = options.now;
  return {
    check: () => undefined,

    buildRequest(call: UpstreamCall, apiKey: string | undefined, stream: boolean) {
      const { params, messages } = call.request;
      const system = messages.filter((m) => m.role === "system" && !blank(m.content)).map((m) => m.content);
      const body: Record<string, unknown> = {
        model: call.upstreamModel,
        max_tokens: params.maxTokens ?? call.defaultMaxTokens,
        messages: toMessages(messages),
      };
      if (system.length > 0) body["system"] = system.join("\n\n");
      if (params.temperature !== undefined) body["temperature"] = Math.min(params.temperature, MAX_TEMPERATURE);
      if (params.topP !== undefined) body["top_p"] = params.topP;
      if (params.stop !== undefined && params.stop.length > 0) body["stop_sequences"] = params.stop;
      if (stream) body["stream"] = true;
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "anthropic-version": ANTHROPIC_VERSION,
      };
      if (stream) headers["accept"] = "text/event-stream";
      if (apiKey !== undefined) headers["x-api-key"] = apiKey;
      return { path: "/v1/messages", headers, body: JSON.stringify(body) };
    },

    parseResponse(text: string): ChatResult {
      const body = tryJson(text);
      throwIfError(body, now());
      if (!isObject(body) || body["type"] !== "message" || !Array.isArray(body["content"])) {
        throw new ProviderError({ kind: "invalid_response", reason: "malformed message" });
      }
      const parts: string[] = [];
      for (const block of body["content"] as unknown[]) {
        if (isObject(block) && block["type"] === "text" && typeof block["text"] === "string") parts.push(block["text"]);
      }
      const model = str(body["model"]);
      return {
        text: parts.join(""),
        finishReason: mapStopReason(body["stop_reason"]),
        usage: readAnthropicUsage(body["usage"]),
        ...(model !== undefined ? { responseModel: model } : {}),
      };
    },

    streamDecoder(): StreamDecoder {
      return new AnthropicStreamDecoder();
    },

    classifyError(status: number, headers: HeaderMap, body: string) {
      return classifyAnthropicError(status, headers, body, now());
    },

    rateLimitHint(headers: HeaderMap): RateLimitHint | undefined {
      const remainingRequests = intHeader(headers, "anthropic-ratelimit-requests-remaining");
      const remainingTokens = intHeader(headers, "anthropic-ratelimit-tokens-remaining");
      const at = now();
      const resets = [header(headers, "anthropic-ratelimit-requests-reset"), header(headers, "anthropic-ratelimit-tokens-reset")]
        .map((v) => untilMs(v, at))
        .filter((v): v is number => v !== undefined);
      if (remainingRequests === undefined && remainingTokens === undefined && resets.length === 0) return undefined;
      return {
        ...(remainingRequests !== undefined ? { remainingRequests } : {}),
        ...(remainingTokens !== undefined ? { remainingTokens } : {}),
        ...(resets.length > 0 ? { resetMs: Math.max(...resets) } : {}),
      };
    },
  };
}

/** Decodes the named events of a Messages stream; `message_stop` marks a complete stream. */
class AnthropicStreamDecoder implements StreamDecoder {
  #done = false;
  readonly #raw: RawUsage = {};
  #finish: FinishReason | undefined;
  #model: string | undefined;

  push(event: SseEvent): StreamEvent[] {
    const data = tryJson(event.data);
    if (!isObject(data)) {
      throw new ProviderError({ kind: "invalid_response", reason: "malformed stream event", usage: this.#usage() });
    }
    switch (str(data["type"]) ?? event.event) {
      case "message_start":
        return this.#start(data["message"]);
      case "content_block_start":
        return textEvent(isObject(data["content_block"]) ? data["content_block"] : undefined);
      case "content_block_delta": {
        const delta = isObject(data["delta"]) ? data["delta"] : undefined;
        return delta?.["type"] === "text_delta" ? textEvent(delta) : [];
      }
      case "message_delta":
        return this.#delta(data);
      case "message_stop":
        this.#done = true;
        return [];
      case "error":
        throw anthropicStreamError(data, this.#usage());
      default:
        // ping, content_block_stop, and event types added after this was written.
        return [];
    }
  }

  end(): StreamEvent[] {
    if (!this.#done) {
      throw new ProviderError({ kind: "network", reason: "stream ended without message_stop", usage: this.#usage() });
    }
    return [{ type: "finish", reason: this.#finish ?? "unspecified", ...(this.#model ? { responseModel: this.#model } : {}) }];
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

  /** message_delta: stop_reason and the final (cumulative) usage. */
  #delta(data: Record<string, unknown>): StreamEvent[] {
    const delta = data["delta"];
    if (isObject(delta) && typeof delta["stop_reason"] === "string") this.#finish = mapStopReason(delta["stop_reason"]);
    if (!isObject(data["usage"])) return [];
    mergeUsage(this.#raw, data["usage"]);
    return [{ type: "usage", usage: this.#usage() }];
  }
}

/** A delta event for a text block or text_delta, none when it carries no text. */
function textEvent(block: Record<string, unknown> | undefined): StreamEvent[] {
  const text = block?.["type"] === "text" || block?.["type"] === "text_delta" ? block["text"] : undefined;
  return typeof text === "string" && text.length > 0 ? [{ type: "delta", text }] : [];
}

/** OpenAI Chat Completions (and every compatible endpoint) as a pure wire format. */
import type { MaxTokensField } from "../../config/schema.js";
import { ProviderError } from "../errors.js";
import { count, header, intHeader, isObject, own, parseDurationMs, str, tryJson } from "../headers.js";
import type { ChatResult, FinishReason, StreamEvent, UpstreamCall, Usage } from "../types.js";
import type { HeaderMap, RateLimitHint, SseEvent, StreamDecoder, WireFormat } from "../wire.js";
import { classifyOpenAiError } from "./errors.js";

/** Options of the OpenAI wire format. */
export interface OpenAiWireOptions {
  /** Newer OpenAI models take `max_completion_tokens`; most compatible servers take `max_tokens` (the default). */
  readonly maxTokensField?: MaxTokensField;
  /** Wall clock, epoch ms, for turning an HTTP-date retry-after into a duration (tests pass a fixed one). */
  readonly now: () => number;
}

const FINISH: Record<string, FinishReason> = {
  stop: "stop",
  length: "length",
  content_filter: "content_filter",
  tool_calls: "other",
  function_call: "other",
};

/** Maps an OpenAI finish_reason to ours. */
export function mapFinish(reason: unknown): FinishReason {
  return typeof reason === "string" ? (own(FINISH, reason) ?? "other") : "unspecified";
}

/** Reads an OpenAI `usage` object; absent counts stay absent. */
export function readUsage(usage: unknown): Usage {
  if (!isObject(usage)) return {};
  const out: Usage = {};
  const input = count(usage["prompt_tokens"]);
  const output = count(usage["completion_tokens"]);
  if (input !== undefined) out.inputTokens = input;
  if (output !== undefined) out.outputTokens = output;
  const prompt = usage["prompt_tokens_details"];
  // DeepSeek reports cache hits as `prompt_cache_hit_tokens` (prompt_tokens includes them too).
  const cached = (isObject(prompt) ? count(prompt["cached_tokens"]) : undefined) ?? count(usage["prompt_cache_hit_tokens"]);
  if (cached !== undefined) out.cachedInputTokens = cached;
  const completion = usage["completion_tokens_details"];
  const reasoning = isObject(completion) ? count(completion["reasoning_tokens"]) : undefined;
  if (reasoning !== undefined) out.reasoningTokens = reasoning;
  return out;
}

/** Throws the classified error when a 2xx body carries an `error` object. */
function throwIfError(body: unknown, now: () => number): void {
  if (isObject(body) && isObject(body["error"])) throw classifyOpenAiError(200, {}, JSON.stringify(body), now());
}

/** Creates the OpenAI wire format. */
export function openAiWire(options: OpenAiWireOptions): WireFormat {
  const { now } = options;
  const maxTokensField = options.maxTokensField ?? "max_tokens";
  return {
    check: () => undefined,

    buildRequest(call: UpstreamCall, apiKey: string | undefined, stream: boolean) {
      const { params, messages } = call.request;
      const body: Record<string, unknown> = {
        model: call.upstreamModel,
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
      };
      if (params.maxTokens !== undefined) body[maxTokensField] = params.maxTokens;
      if (params.temperature !== undefined) body["temperature"] = params.temperature;
      if (params.topP !== undefined) body["top_p"] = params.topP;
      if (params.stop !== undefined && params.stop.length > 0) body["stop"] = params.stop;
      if (stream) {
        body["stream"] = true;
        body["stream_options"] = { include_usage: true };
      }
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (stream) headers["accept"] = "text/event-stream";
      if (apiKey !== undefined) headers["authorization"] = `Bearer ${apiKey}`;
      return { path: "/chat/completions", headers, body: JSON.stringify(body) };
    },

    parseResponse(text: string): ChatResult {
      const body = tryJson(text);
      throwIfError(body, now);
      if (!isObject(body) || !Array.isArray(body["choices"])) {
        throw new ProviderError({ kind: "invalid_response", reason: "malformed chat completion" });
      }
      const choice: unknown = body["choices"][0];
      const message = isObject(choice) ? choice["message"] : undefined;
      const content = isObject(message) ? message["content"] : undefined;
      if (!isObject(choice) || (content !== null && content !== undefined && typeof content !== "string")) {
        throw new ProviderError({ kind: "invalid_response", reason: "malformed chat completion choice" });
      }
      const result: ChatResult = {
        text: typeof content === "string" ? content : "",
        finishReason: mapFinish(choice["finish_reason"]),
        usage: readUsage(body["usage"]),
        ...(str(body["model"]) !== undefined ? { responseModel: str(body["model"]) } : {}),
      };
      return result;
    },

    streamDecoder(): StreamDecoder {
      return new OpenAiStreamDecoder(now);
    },

    classifyError(status: number, headers: HeaderMap, body: string) {
      return classifyOpenAiError(status, headers, body, now());
    },

    rateLimitHint(headers: HeaderMap): RateLimitHint | undefined {
      const remainingRequests = intHeader(headers, "x-ratelimit-remaining-requests");
      const remainingTokens = intHeader(headers, "x-ratelimit-remaining-tokens");
      if (remainingRequests === undefined && remainingTokens === undefined) return undefined;
      const resets = [header(headers, "x-ratelimit-reset-requests"), header(headers, "x-ratelimit-reset-tokens")]
        .map(parseDurationMs)
        .filter((v): v is number => v !== undefined);
      return {
        ...(remainingRequests !== undefined ? { remainingRequests } : {}),
        ...(remainingTokens !== undefined ? { remainingTokens } : {}),
        ...(resets.length > 0 ? { resetMs: Math.max(...resets) } : {}),
      };
    },
  };
}

/** Decodes `data: {chunk}` events; `[DONE]` marks a complete stream. */
class OpenAiStreamDecoder implements StreamDecoder {
  #done = false;
  #usage: Usage = {};
  #finish: FinishReason | undefined;
  #model: string | undefined;
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
    if (!isObject(chunk)) throw new ProviderError({ kind: "invalid_response", reason: "malformed stream chunk" });
    this.#model ??= str(chunk["model"]);
    const out: StreamEvent[] = [];
    const choices = chunk["choices"];
    const choice: unknown = Array.isArray(choices) ? choices[0] : undefined;
    if (isObject(choice)) {
      const delta = choice["delta"];
      const content = isObject(delta) ? delta["content"] : undefined;
      if (typeof content === "string" && content.length > 0) out.push({ type: "delta", text: content });
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
    return [{ type: "finish", reason: this.#finish ?? "unspecified", ...(this.#model ? { responseModel: this.#model } : {}) }];
  }
}

/** OpenAI Chat Completions (and every compatible endpoint) as a pure wire format. */
import type { MaxTokensField } from "../../config/schema.js";
import { header, intHeader, parseDurationMs } from "../headers.js";
import type { ChatResult, UpstreamCall } from "../types.js";
import type { HeaderMap, RateLimitHint, StreamDecoder, WireFormat } from "../wire.js";
import { checkOpenAi } from "./check.js";
import { openAiEmbedWire } from "./embed.js";
import { classifyOpenAiError } from "./errors.js";
import { buildBody } from "./request.js";
import { parseChatCompletion } from "./response.js";
import { OpenAiStreamDecoder } from "./stream.js";

export { mapFinish, readUsage } from "./response.js";

/** Options of the OpenAI wire format. */
export interface OpenAiWireOptions {
  /** Newer OpenAI models take `max_completion_tokens`; most compatible servers take `max_tokens` (the default). */
  readonly maxTokensField?: MaxTokensField;
  /** Wall clock, epoch ms, for turning an HTTP-date retry-after into a duration (tests pass a fixed one). */
  readonly now: () => number;
}

/** Creates the OpenAI wire format. */
export function openAiWire(options: OpenAiWireOptions): WireFormat {
  const { now } = options;
  const maxTokensField = options.maxTokensField ?? "max_tokens";
  return {
    embeddings: openAiEmbedWire(now),
    check: (call) => checkOpenAi(call.request),

    buildRequest(call: UpstreamCall, apiKey: string | undefined, stream: boolean) {
      const body = buildBody(call, stream, maxTokensField);
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (stream) headers["accept"] = "text/event-stream";
      if (apiKey !== undefined) headers["authorization"] = `Bearer ${apiKey}`;
      return { path: "/chat/completions", headers, body: JSON.stringify(body) };
    },

    parseResponse(text: string): ChatResult {
      return parseChatCompletion(text, now);
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

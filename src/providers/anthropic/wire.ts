/** Anthropic Messages (`POST /v1/messages`) as a pure wire format. */
import { header, intHeader, isObject, tryJson } from "../headers.js";
import type { ChatResult, UpstreamCall } from "../types.js";
import type { HeaderMap, RateLimitHint, StreamDecoder, WireFormat } from "../wire.js";
import { checkAnthropic } from "./check.js";
import { classifyAnthropicError } from "./errors.js";
import { requestBody } from "./request.js";
import { readMessage } from "./response.js";
import { AnthropicStreamDecoder } from "./stream.js";

export { mapStopReason, readAnthropicUsage } from "./usage.js";

/** The API version this format speaks. */
export const ANTHROPIC_VERSION = "2023-06-01";

/** Options of the Anthropic wire format. */
export interface AnthropicWireOptions {
  /** Wall clock, epoch ms, for turning reset times and an HTTP-date retry-after into durations (tests pass a fixed one). */
  readonly now: () => number;
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
    check: (call) => checkAnthropic(call.request, call.defaultMaxTokens),

    buildRequest(call: UpstreamCall, apiKey: string | undefined, stream: boolean) {
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "anthropic-version": ANTHROPIC_VERSION,
      };
      if (stream) headers["accept"] = "text/event-stream";
      if (apiKey !== undefined) headers["x-api-key"] = apiKey;
      return { path: "/v1/messages", headers, body: JSON.stringify(requestBody(call, stream)) };
    },

    parseResponse(text: string): ChatResult {
      const body = tryJson(text);
      if (isObject(body) && body["type"] === "error") throw classifyAnthropicError(200, {}, text, now());
      return readMessage(body);
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

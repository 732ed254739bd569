/** The contract of a wire format: pure translations between core types and one provider's HTTP API. */
import type { EmbedWire } from "./embed-types.js";
import type { ProviderError } from "./errors.js";
import type { ChatResult, StreamEvent, Unsupported, UpstreamCall } from "./types.js";

/** An HTTP request to send, relative to the provider's base URL. */
export interface HttpRequestSpec {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Response headers, lower-case names. */
export type HeaderMap = Readonly<Record<string, string | string[] | undefined>>;

/** One server-sent event: its `event:` name (when given) and its joined `data:` lines. */
export interface SseEvent {
  readonly event: string | undefined;
  readonly data: string;
}

/** Turns a provider's SSE events into stream events; one decoder per stream. */
export interface StreamDecoder {
  /** Translates one event; throws ProviderError for an error event or a malformed one. */
  push(event: SseEvent): StreamEvent[];
  /** Called when the body ended; throws ProviderError when the stream was cut before its end marker. */
  end(): StreamEvent[];
}

/** What the provider said about its remaining rate limits on a response, when it said. */
export interface RateLimitHint {
  readonly remainingRequests?: number;
  readonly remainingTokens?: number;
  /** Milliseconds until the request or token window resets, whichever is later. */
  readonly resetMs?: number;
}

/** A provider API as pure functions: no I/O here, so each is tested on literal fixtures. */
export interface WireFormat {
  /** What of a request this format cannot carry faithfully (a schema keyword, an image type); undefined when all of it. */
  check(call: UpstreamCall): Unsupported | undefined;
  /** Builds the HTTP request for a call; `apiKey` goes only into headers or the URL query. */
  buildRequest(call: UpstreamCall, apiKey: string | undefined, stream: boolean): HttpRequestSpec;
  /** Parses a 2xx unary body; throws ProviderError for an error inside a 2xx or a malformed body. */
  parseResponse(body: string): ChatResult;
  /** A fresh decoder for one streamed response. */
  streamDecoder(): StreamDecoder;
  /** Classifies a non-2xx response into one error kind. */
  classifyError(status: number, headers: HeaderMap, body: string): ProviderError;
  /** Reads rate-limit headers of a response; undefined when there are none. */
  rateLimitHint(headers: HeaderMap): RateLimitHint | undefined;
  /** The format's embeddings API, when it has one (Anthropic has none). */
  readonly embeddings?: EmbedWire;
}

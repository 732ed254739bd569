/** The Anthropic error table: HTTP status and `error.type` (and a few messages) -> one error kind. */
import { ProviderError } from "../errors.js";
import type { ErrorKind } from "../errors.js";
import { isObject, retryAfterMs, str, tryJson } from "../headers.js";
import type { Usage } from "../types.js";
import type { HeaderMap } from "../wire.js";

const BY_TYPE: Record<string, ErrorKind> = {
  invalid_request_error: "invalid_request",
  authentication_error: "auth",
  permission_error: "auth",
  billing_error: "quota_exhausted",
  not_found_error: "invalid_request",
  request_too_large: "context_too_long",
  rate_limit_error: "rate_limited",
  api_error: "server_error",
  timeout_error: "timeout",
  overloaded_error: "overloaded",
};

const BY_STATUS: Record<number, ErrorKind> = {
  400: "invalid_request",
  401: "auth",
  402: "quota_exhausted",
  403: "auth",
  404: "invalid_request",
  408: "timeout",
  413: "context_too_long",
  429: "rate_limited",
  500: "server_error",
  503: "overloaded",
  504: "timeout",
  529: "overloaded",
};

/** `invalid_request_error` covers several distinct failures that only the message tells apart. */
const BY_MESSAGE: ReadonlyArray<readonly [RegExp, ErrorKind]> = [
  [/prompt is too long|exceed context limit/i, "context_too_long"],
  [/credit balance is too low/i, "quota_exhausted"],
  [/content filtering policy/i, "content_filtered"],
];

/** The error kind for an Anthropic error type and message, falling back on the HTTP status. */
export function anthropicErrorKind(type: string | undefined, message: string | undefined, status: number | undefined): ErrorKind {
  if (type === "invalid_request_error" && message !== undefined) {
    for (const [pattern, kind] of BY_MESSAGE) if (pattern.test(message)) return kind;
  }
  const byType = type !== undefined ? BY_TYPE[type] : undefined;
  if (byType !== undefined) return byType;
  const byStatus = status !== undefined ? BY_STATUS[status] : undefined;
  if (byStatus !== undefined) return byStatus;
  return status === undefined || status >= 500 || status < 400 ? "server_error" : "invalid_request";
}

/** Reads `{"type":"error","error":{"type","message"}}`; undefined fields when the body is not that shape. */
function readError(parsed: unknown): { type: string | undefined; message: string | undefined } {
  const error = isObject(parsed) && isObject(parsed["error"]) ? parsed["error"] : undefined;
  return { type: str(error?.["type"]), message: str(error?.["message"]) };
}

/** Classifies an Anthropic error response (non-2xx, or an error body inside a 2xx) into one kind. */
export function classifyAnthropicError(status: number, headers: HeaderMap, body: string, now: number = Date.now()): ProviderError {
  const { type, message } = readError(tryJson(body));
  const wait = retryAfterMs(headers, now);
  return new ProviderError({
    kind: anthropicErrorKind(type, message, status),
    reason: `${status}${type ? ` ${type}` : ""}${wait !== undefined ? ` (retry after ${wait} ms)` : ""}`,
    status,
    ...(type !== undefined ? { providerType: type } : {}),
    ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    cause: message ?? body.slice(0, 500),
  });
}

/** The error of an `error` event inside a 200 stream, carrying the usage reported before it. */
export function anthropicStreamError(event: unknown, usage: Usage): ProviderError {
  const { type, message } = readError(event);
  return new ProviderError({
    kind: anthropicErrorKind(type, message, undefined),
    reason: `stream error ${type ?? "unknown"}`,
    ...(type !== undefined ? { providerType: type } : {}),
    usage,
    cause: message ?? "error event without a message",
  });
}

/** The Anthropic error table: HTTP status and `error.type` (and a few messages) -> one error kind. */
import { kindForStatus, ProviderError } from "../errors.js";
import type { ErrorKind } from "../errors.js";
import { isObject, own, retryAfterMs, safeLabel, str, tryJson } from "../headers.js";
import type { Usage } from "../types.js";
import type { HeaderMap } from "../wire.js";

const BY_TYPE: Record<string, ErrorKind> = {
  invalid_request_error: "invalid_request",
  authentication_error: "auth",
  permission_error: "auth",
  billing_error: "quota_exhausted",
  // The model (or path) does not exist for this key: another deployment may serve it.
  not_found_error: "model_unavailable",
  request_too_large: "context_too_long",
  rate_limit_error: "rate_limited",
  api_error: "server_error",
  timeout_error: "timeout",
  overloaded_error: "overloaded",
};

/** `invalid_request_error` covers several distinct failures that only the message tells apart. */
const BY_MESSAGE: ReadonlyArray<readonly [RegExp, ErrorKind]> = [
  [/prompt is too long|exceed context limit/i, "context_too_long"],
  [/credit balance is too low/i, "quota_exhausted"],
  [/content filtering policy/i, "content_filtered"],
];

/** The error kind for an Anthropic error type and message, falling back on the shared status table. */
export function anthropicErrorKind(type: string | undefined, message: string | undefined, status: number | undefined): ErrorKind {
  if (type === "invalid_request_error" && message !== undefined) {
    for (const [pattern, kind] of BY_MESSAGE) if (pattern.test(message)) return kind;
  }
  const byType = own(BY_TYPE, type);
  if (byType !== undefined) return byType;
  return kindForStatus(status);
}

/** Reads `{"type":"error","error":{"type","message"}}`; undefined fields when the body is not that shape. */
function readError(parsed: unknown): { type: string | undefined; message: string | undefined } {
  const error = isObject(parsed) && isObject(parsed["error"]) ? parsed["error"] : undefined;
  return { type: str(error?.["type"]), message: str(error?.["message"]) };
}

/** Classifies an Anthropic error response (non-2xx, or an error body inside a 2xx) into one kind; `now` is epoch ms. */
export function classifyAnthropicError(status: number, headers: HeaderMap, body: string, now: number): ProviderError {
  const { type, message } = readError(tryJson(body));
  const label = safeLabel(type);
  const wait = retryAfterMs(headers, now);
  return new ProviderError({
    kind: anthropicErrorKind(type, message, status),
    reason: `${status}${label ? ` ${label}` : ""}${wait !== undefined ? ` (retry after ${wait} ms)` : ""}`,
    status,
    ...(label !== undefined ? { providerType: label } : {}),
    ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    cause: message ?? body.slice(0, 500),
  });
}

/** The error of an `error` event inside a 200 stream, carrying the usage reported before it. */
export function anthropicStreamError(event: unknown, usage: Usage): ProviderError {
  const { type, message } = readError(event);
  const label = safeLabel(type);
  return new ProviderError({
    kind: anthropicErrorKind(type, message, undefined),
    reason: `stream error ${label ?? "unknown"}`,
    ...(label !== undefined ? { providerType: label } : {}),
    usage,
    cause: message ?? "error event without a message",
  });
}

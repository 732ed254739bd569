/** The OpenAI error table: HTTP status and error type/code -> one error kind. */
import { ProviderError } from "../errors.js";
import type { ErrorKind } from "../errors.js";
import { isObject, retryAfterMs, str, tryJson } from "../headers.js";
import type { HeaderMap } from "../wire.js";

const BY_STATUS: Record<number, ErrorKind> = {
  400: "invalid_request",
  401: "auth",
  402: "quota_exhausted",
  403: "auth",
  404: "invalid_request",
  408: "timeout",
  409: "server_error",
  413: "context_too_long",
  422: "invalid_request",
  429: "rate_limited",
  503: "overloaded",
  529: "overloaded",
};

const BY_CODE: Record<string, ErrorKind> = {
  insufficient_quota: "quota_exhausted",
  context_length_exceeded: "context_too_long",
  string_above_max_length: "context_too_long",
  content_filter: "content_filtered",
  content_policy_violation: "content_filtered",
  invalid_api_key: "auth",
  rate_limit_exceeded: "rate_limited",
  // No entry for the generic type "server_error": OpenAI sends it with 500 and with 503 (overloaded),
  // so the status decides.
};

/** Classifies an OpenAI (or compatible) error response into one kind. */
export function classifyOpenAiError(status: number, headers: HeaderMap, body: string): ProviderError {
  const parsed = tryJson(body);
  const error = isObject(parsed) && isObject(parsed["error"]) ? parsed["error"] : undefined;
  const code = str(error?.["code"]) ?? str(error?.["type"]);
  const type = str(error?.["type"]);
  const kind: ErrorKind =
    (code !== undefined ? BY_CODE[code] : undefined) ??
    (type !== undefined ? BY_CODE[type] : undefined) ??
    BY_STATUS[status] ??
    (status >= 500 || status === 200 ? "server_error" : "invalid_request");
  const label = code ?? type;
  const wait = retryAfterMs(headers);
  return new ProviderError({
    kind,
    reason: `${status}${label ? ` ${label}` : ""}${wait !== undefined ? ` (retry after ${wait} ms)` : ""}`,
    status,
    ...(label !== undefined ? { providerType: label } : {}),
    ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    cause: str(error?.["message"]) ?? body.slice(0, 500),
  });
}

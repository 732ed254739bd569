/** The OpenAI error table: HTTP status and error type/code -> one error kind. */
import { kindForStatus, ProviderError } from "../errors.js";
import type { ErrorKind } from "../errors.js";
import { isObject, own, retryAfterMs, safeLabel, str, tryJson } from "../headers.js";
import type { HeaderMap } from "../wire.js";

/** Where OpenAI's statuses differ from the shared table. */
const BY_STATUS: Record<number, ErrorKind> = {
  // A conflict with a concurrent request: the official SDKs retry it.
  409: "server_error",
};

const BY_CODE: Record<string, ErrorKind> = {
  insufficient_quota: "quota_exhausted",
  context_length_exceeded: "context_too_long",
  string_above_max_length: "context_too_long",
  content_filter: "content_filtered",
  content_policy_violation: "content_filtered",
  invalid_api_key: "auth",
  rate_limit_exceeded: "rate_limited",
  model_not_found: "model_unavailable",
  // No entry for the generic type "server_error": OpenAI sends it with 500 and with 503 (overloaded),
  // so the status decides.
};

/** Classifies an OpenAI (or compatible) error response into one kind; `now` is epoch ms. */
export function classifyOpenAiError(status: number, headers: HeaderMap, body: string, now: number): ProviderError {
  const parsed = tryJson(body);
  const error = isObject(parsed) && isObject(parsed["error"]) ? parsed["error"] : undefined;
  const code = str(error?.["code"]) ?? str(error?.["type"]);
  const type = str(error?.["type"]);
  const kind: ErrorKind = own(BY_CODE, code) ?? own(BY_CODE, type) ?? BY_STATUS[status] ?? kindForStatus(status);
  const label = safeLabel(code ?? type);
  const wait = retryAfterMs(headers, now);
  return new ProviderError({
    kind,
    reason: `${status}${label ? ` ${label}` : ""}${wait !== undefined ? ` (retry after ${wait} ms)` : ""}`,
    status,
    ...(label !== undefined ? { providerType: label } : {}),
    ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    cause: str(error?.["message"]) ?? body.slice(0, 500),
  });
}

/** The Gemini error table: HTTP status and google.rpc `status` (and a few details) -> one error kind. */
import { kindForStatus, ProviderError } from "../errors.js";
import type { ErrorKind } from "../errors.js";
import { count, isObject, own, parseDurationMs, retryAfterMs, safeLabel, str, tryJson } from "../headers.js";
import type { Usage } from "../types.js";
import type { HeaderMap } from "../wire.js";

const BY_STATUS_NAME: Record<string, ErrorKind> = {
  INVALID_ARGUMENT: "invalid_request",
  // The key's project or region cannot use this model ("User location is not supported for the API use.").
  FAILED_PRECONDITION: "model_unavailable",
  OUT_OF_RANGE: "invalid_request",
  // No such model (or API version) at this endpoint.
  NOT_FOUND: "model_unavailable",
  UNAUTHENTICATED: "auth",
  PERMISSION_DENIED: "auth",
  RESOURCE_EXHAUSTED: "rate_limited",
  UNAVAILABLE: "overloaded",
  INTERNAL: "server_error",
  UNKNOWN: "server_error",
  DEADLINE_EXCEEDED: "timeout",
};

/** A google.rpc error as Gemini sends it. */
export interface GeminiError {
  /** The HTTP status code the error repeats in its body. */
  readonly code: number | undefined;
  readonly status: string | undefined;
  readonly message: string | undefined;
  readonly details: readonly Record<string, unknown>[];
}

/** Reads `{"error":{"code","message","status","details"}}`, also wrapped in an array (as streams send it). */
export function readGeminiError(parsed: unknown): GeminiError | undefined {
  const root: unknown = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!isObject(root) || !isObject(root["error"])) return undefined;
  const error = root["error"];
  const details = Array.isArray(error["details"]) ? error["details"].filter(isObject) : [];
  return { code: count(error["code"]), status: str(error["status"]), message: str(error["message"]), details };
}

/** The `details` entries of one google.rpc type, e.g. "ErrorInfo". */
function detailsOf(error: GeminiError, type: string): Record<string, unknown>[] {
  return error.details.filter((d) => str(d["@type"])?.endsWith(`google.rpc.${type}`) === true);
}

/** The kind a body's details and message refine a status into, when they do. */
function refine(error: GeminiError): ErrorKind | undefined {
  const message = error.message ?? "";
  if (error.status === "INVALID_ARGUMENT") {
    if (/exceeds the maximum number of tokens|input token count/i.test(message)) return "context_too_long";
    const keyInvalid = detailsOf(error, "ErrorInfo").some((d) => d["reason"] === "API_KEY_INVALID");
    if (keyInvalid || /api key not valid/i.test(message)) return "auth";
    if (/\bblocked\b/i.test(message)) return "content_filtered";
  }
  if (error.status === "RESOURCE_EXHAUSTED") {
    // A per-day quota will not come back in seconds: that is an exhausted quota, not a rate limit.
    const violations = detailsOf(error, "QuotaFailure").flatMap((d) => (Array.isArray(d["violations"]) ? d["violations"] : []));
    if (violations.some((v) => isObject(v) && /PerDay/.test(str(v["quotaId"]) ?? ""))) return "quota_exhausted";
  }
  return undefined;
}

/** The kind of a Gemini error, falling back on the shared status table. */
export function geminiErrorKind(error: GeminiError | undefined, status: number | undefined): ErrorKind {
  const refined = error !== undefined ? refine(error) : undefined;
  if (refined !== undefined) return refined;
  const byName = own(BY_STATUS_NAME, error?.status);
  if (byName !== undefined) return byName;
  return kindForStatus(status);
}

/** `retry-after` when sent, else the body's google.rpc.RetryInfo `retryDelay` ("39s"). */
function waitMs(headers: HeaderMap, error: GeminiError | undefined, now: number): number | undefined {
  const fromHeader = retryAfterMs(headers, now);
  if (fromHeader !== undefined || error === undefined) return fromHeader;
  for (const d of detailsOf(error, "RetryInfo")) {
    const delay = parseDurationMs(str(d["retryDelay"]));
    if (delay !== undefined) return delay;
  }
  return undefined;
}

/** Classifies a Gemini error response (non-2xx, or an error object inside a 2xx) into one kind; `now` is epoch ms. */
export function classifyGeminiError(status: number, headers: HeaderMap, body: string, now: number): ProviderError {
  const error = readGeminiError(tryJson(body));
  const wait = waitMs(headers, error, now);
  const label = safeLabel(error?.status);
  return new ProviderError({
    kind: geminiErrorKind(error, status),
    reason: `${status}${label ? ` ${label}` : ""}${wait !== undefined ? ` (retry after ${wait} ms)` : ""}`,
    status,
    ...(label !== undefined ? { providerType: label } : {}),
    ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    cause: error?.message ?? body.slice(0, 500),
  });
}

/** The error of an error object arriving as a stream event, carrying the usage reported before it. */
export function geminiStreamError(chunk: unknown, usage: Usage): ProviderError {
  const error = readGeminiError(chunk);
  const label = safeLabel(error?.status);
  return new ProviderError({
    kind: geminiErrorKind(error, error?.code),
    reason: `stream error ${label ?? "unknown"}`,
    ...(label !== undefined ? { providerType: label } : {}),
    usage,
    cause: error?.message ?? "error event without a message",
  });
}

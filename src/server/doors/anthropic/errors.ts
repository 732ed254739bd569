/**
 * Refusals in Anthropic's error shape: `{"type":"error","error":{"type","message"},"request_id"}` with Anthropic's
 * error types by status, a `request-id` header, `retry-after` (and `retry-after-ms`) when known, and
 * `x-should-retry: false` for a spent budget (the SDK would otherwise retry a 429). Service messages that name a
 * contract field are rewritten to name the Anthropic field it came from.
 */
import type { DoorFault } from "../door-fault.js";
import { EXTRA_HEADERS } from "../extras.js";

const TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  409: "conflict_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  // Every candidate failed (or the gateway cannot take more): Anthropic's 529 overloaded_error means its own
  // fleet is busy; the gateway keeps the HTTP 503 of the contract, which the SDK retries alike, as api_error.
  503: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};

/** Anthropic's error type for an HTTP status. */
export function errorType(status: number): string {
  return TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

/** The error JSON (also the data of a stream's `error` event). */
export function errorBody(fault: DoorFault, requestId: string, at: readonly string[] = []): Record<string, unknown> {
  return { type: "error", error: { type: errorType(fault.status), message: anthropicMessage(fault.message, at) }, request_id: requestId };
}

/** The headers of an error answer. */
export function errorHeaders(fault: DoorFault, requestId: string): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json", "request-id": requestId, [EXTRA_HEADERS.requestId]: requestId };
  if (fault.retryAfterS !== undefined) {
    headers["retry-after"] = String(fault.retryAfterS);
    headers["retry-after-ms"] = String(fault.retryAfterS * 1000);
  }
  if (fault.refusal === "budget_exceeded") headers["x-should-retry"] = "false";
  return headers;
}

/** Contract field names -> Anthropic's, for a service message's leading field. */
const TOP: Record<string, string> = { stop: "stop_sequences", response_format: "output_config.format", reasoning: "thinking", tool_choice: "tool_choice", parallel_tool_calls: "tool_choice.disable_parallel_tool_use" };
const FIELD = /^([A-Za-z_][\w.[\]"-]*): /;

/**
 * A service message naming a contract field (`messages[3].tool_call_id: ...`) rewritten to name the Anthropic field
 * (`messages.1.content.0.tool_use_id: ...`), using where each contract message came from.
 */
export function anthropicMessage(message: string, at: readonly string[]): string {
  const m = FIELD.exec(message);
  if (m === null) return message;
  const field = m[1] ?? "";
  let rewritten = field.replace(/^messages\[(\d+)\]/, (whole, i: string) => at[Number(i)] ?? whole);
  const head = /^[a-z_]+/.exec(rewritten)?.[0] ?? "";
  if (TOP[head] !== undefined && rewritten === field) rewritten = `${TOP[head]}${rewritten.slice(head.length)}`;
  rewritten = rewritten.replace(/\[(\d+)\]/g, ".$1").replace(/\.tool_call_id$/, ".tool_use_id");
  return `${rewritten}: ${message.slice(m[0].length)}`;
}

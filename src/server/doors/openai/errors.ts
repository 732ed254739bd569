/**
 * Refusals in OpenAI's error shape (`{"error":{"message","type","param","code"}}`, all four present) with the
 * statuses the official SDKs act on: 429 carries `retry-after` (and `retry-after-ms`) when the wait is known, and
 * `x-should-retry: false` when retrying cannot help (a budget spent). Inside a started stream, the error is a data
 * event, which the SDK raises as an APIError.
 */
import type { DoorCall } from "../door-call.js";
import type { DoorFault } from "../door-fault.js";

/** The contract's field names where OpenAI's differ, for `param` and the message. */
const RENAMES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^tools\[(\d+)\]\.(name|description|parameters|strict)/, "tools[$1].function.$2"],
  [/^messages\[(\d+)\]\.parts\[(\d+)\]/, "messages[$1].content[$2]"],
  [/^messages\[(\d+)\]\.tool_calls\[(\d+)\]\.(name|arguments)/, "messages[$1].tool_calls[$2].function.$3"],
  [/^response_format\.(name|schema|strict|description)/, "response_format.json_schema.$1"],
  [/^reasoning\.effort/, "reasoning_effort"],
  [/^inputs(\[\d+\])?/, "input$1"],
];

function rename(text: string): string {
  for (const [from, to] of RENAMES) if (from.test(text)) return text.replace(from, to);
  return text;
}

/** OpenAI's error type and code for a fault. */
function kind(fault: DoorFault): { type: string; code: string | null } {
  switch (fault.status) {
    case 401:
      return { type: "invalid_request_error", code: "invalid_api_key" };
    case 403:
      return { type: "invalid_request_error", code: "model_not_allowed" };
    case 404:
      return { type: "invalid_request_error", code: "model_not_found" };
    case 413:
      return { type: "invalid_request_error", code: "request_too_large" };
    case 429:
      return fault.refusal === "budget_exceeded" ? { type: "insufficient_quota", code: "insufficient_quota" } : { type: "requests", code: "rate_limit_exceeded" };
    default:
      return fault.status < 500 ? { type: "invalid_request_error", code: null } : { type: "server_error", code: fault.status === 504 ? "timeout" : fault.status === 503 ? "service_unavailable" : null };
  }
}

/** The error body for a fault. */
export function errorBody(fault: DoorFault): string {
  const { type, code } = kind(fault);
  return JSON.stringify({ error: { message: rename(fault.message), type, param: fault.param === null ? null : rename(fault.param), code } });
}

/** The headers that steer the SDK's retry. */
function retryHeaders(fault: DoorFault): Record<string, string> {
  if (fault.retryAfterS !== undefined) return { "retry-after": String(fault.retryAfterS), "retry-after-ms": String(fault.retryAfterS * 1000) };
  if (fault.refusal === "budget_exceeded" || fault.status === 413) return { "x-should-retry": "false" };
  return {};
}

/** Writes a refusal: an error status with the body, or an error event inside a started stream. */
export function refuse(call: DoorCall, fault: DoorFault): void {
  if (call.closed) return;
  if (call.started) {
    void call.write(`data: ${errorBody(fault)}\n\n`).then(() => call.finish());
    return;
  }
  const headers: Record<string, string> = { "content-type": "application/json", ...retryHeaders(fault) };
  if (call.requestId !== "") headers["x-request-id"] = call.requestId;
  call.send(fault.status, headers, errorBody(fault));
}

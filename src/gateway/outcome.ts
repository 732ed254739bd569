/** Turns a failed request's attempts into one GatewayError: the only place this decision is made. */
import type { AttemptRecord } from "./types.js";
import { GatewayError } from "./types.js";

/** Why the attempt loop stopped without an answer. */
export type StopReason = "exhausted" | "not_retryable" | "deadline" | "cancelled" | "no_candidate";

/** One line per attempt: "#2 claude-sonnet-4.5@anthropic overloaded: 529 overloaded_error (31 ms)". */
export function describeAttempts(attempts: readonly AttemptRecord[]): string {
  return attempts
    .map((a) => `#${a.number} ${a.model}@${a.provider} ${a.errorKind ?? a.outcome}: ${a.reason} (${Math.round(a.latencyMs)} ms)`)
    .join("; ");
}

/** The error for a request that got no answer. */
export function failure(stop: StopReason, attempts: readonly AttemptRecord[], detail = ""): GatewayError {
  const list = attempts.length > 0 ? `: ${describeAttempts(attempts)}` : "";
  const last = attempts[attempts.length - 1];
  switch (stop) {
    case "cancelled":
      return new GatewayError("cancelled", `request cancelled by the client${list}`, attempts);
    case "deadline":
      return new GatewayError("deadline_exceeded", `deadline exceeded after ${attempts.length} attempt(s)${list}`, attempts);
    case "not_retryable":
      if (last?.errorKind === "content_filtered") {
        return new GatewayError("invalid_argument", `the provider refused the content${list}`, attempts);
      }
      return new GatewayError("invalid_argument", `the provider rejected the request as invalid${list}`, attempts);
    case "no_candidate":
      return new GatewayError("unavailable", `no model can take the request now${detail ? ` (${detail})` : ""}${list}`, attempts);
    case "exhausted": {
      const allLimited = attempts.length > 0 && attempts.every((a) => a.errorKind === "rate_limited" || a.errorKind === "quota_exhausted");
      if (allLimited) return new GatewayError("resource_exhausted", `every candidate is rate limited${list}`, attempts);
      return new GatewayError("unavailable", `all ${attempts.length} attempt(s) failed${list}`, attempts);
    }
  }
}

import { describe, expect, it } from "vitest";
import type { ErrorKind } from "../../providers/errors.js";
import { allRateLimited, describeSkips, failure } from "./outcome.js";
import type { AttemptRecord } from "../types.js";

function attempt(number: number, errorKind: ErrorKind | undefined, outcome: AttemptRecord["outcome"] = "failed"): AttemptRecord {
  return {
    number,
    model: `m${number}`,
    provider: `p${number}`,
    outcome,
    errorKind,
    httpStatus: errorKind === "rate_limited" ? 429 : 500,
    reason: `${errorKind}`,
    startedAt: 0,
    latencyMs: 12.4,
    ttftMs: undefined,
    hedge: number === 2,
    failover: number > 1,
    retry: false,
    usage: {},
    costPicos: 0n,
    usageUnknown: true,
    usageBasis: "reported",
  };
}

describe("failure", () => {
  it("is UNAVAILABLE with every attempt when all failed", () => {
    const e = failure("exhausted", [attempt(1, "server_error"), attempt(2, "rate_limited")]);
    expect(e.code).toBe("unavailable");
    expect(e.attempts).toHaveLength(2);
    expect(e.message).toContain("#1 m1@p1 server_error");
    expect(e.message).toContain("#2 m2@p2 (hedge) rate_limited");
  });

  it("is RESOURCE_EXHAUSTED when every attempt was rate limited", () => {
    expect(failure("exhausted", [attempt(1, "rate_limited"), attempt(2, "quota_exhausted")]).code).toBe("resource_exhausted");
  });

  it("is RESOURCE_EXHAUSTED when nothing could be called for lack of headroom", () => {
    const e = failure("no_candidate", [], [{ model: "m1", reason: "rpm", readyAt: 2_500 }], 1_000);
    expect(e.code).toBe("resource_exhausted");
    expect(e.message).toContain("m1 rpm (ready in 1.5 s)");
  });

  it("is UNAVAILABLE when a skipped candidate was broken rather than limited", () => {
    const skips = [{ model: "m2", reason: "circuit_open", readyAt: undefined }] as const;
    expect(failure("no_candidate", [], skips).code).toBe("unavailable");
    expect(failure("exhausted", [attempt(1, "rate_limited")], skips).code).toBe("unavailable");
    expect(allRateLimited([], [])).toBe(false);
  });

  it("returns an invalid request as INVALID_ARGUMENT", () => {
    expect(failure("not_retryable", [attempt(1, "invalid_request")]).code).toBe("invalid_argument");
    expect(failure("not_retryable", [attempt(1, "content_filtered")]).message).toContain("refused the content");
    expect(failure("too_long", [attempt(1, "context_too_long")]).code).toBe("invalid_argument");
  });

  it("ends an interrupted stream with UNAVAILABLE, never as success", () => {
    const e = failure("interrupted", [attempt(1, "network")]);
    expect(e.code).toBe("unavailable");
    expect(e.message).toContain("after it started");
  });

  it("maps cancel and deadline", () => {
    expect(failure("cancelled", []).code).toBe("cancelled");
    expect(failure("deadline", [attempt(1, "timeout")]).code).toBe("deadline_exceeded");
  });

  it("describes skips without a ready time", () => {
    expect(describeSkips([{ model: "a", reason: "probe_in_flight", readyAt: undefined }], 0)).toBe("a probe_in_flight");
  });
});

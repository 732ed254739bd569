import { describe, expect, it } from "vitest";
import type { FailoverConfig } from "../../config/schema.js";
import { ProviderError } from "../../providers/errors.js";
import { fullJitterMs, retryAt } from "./backoff.js";

const CONFIG = { backoffBaseMs: 100, backoffMaxMs: 1_000 } as FailoverConfig;

describe("fullJitterMs", () => {
  it("is uniform below a cap that doubles per retry", () => {
    expect(fullJitterMs(1, 100, 1_000, () => 0.5)).toBe(50);
    expect(fullJitterMs(2, 100, 1_000, () => 0.5)).toBe(100);
    expect(fullJitterMs(3, 100, 1_000, () => 0.5)).toBe(200);
    expect(fullJitterMs(3, 100, 1_000, () => 0)).toBe(0);
  });

  it("never exceeds the maximum", () => {
    expect(fullJitterMs(10, 100, 1_000, () => 0.999)).toBeCloseTo(999);
  });
});

describe("retryAt", () => {
  it("backs off with jitter after a retryable failure", () => {
    const e = new ProviderError({ kind: "server_error", reason: "500" });
    expect(retryAt(1_000, 2, e, CONFIG, () => 0.25)).toBe(1_050);
  });

  it("waits the provider's Retry-After instead of the jitter", () => {
    const e = new ProviderError({ kind: "rate_limited", reason: "429", retryAfterMs: 3_000 });
    expect(retryAt(1_000, 1, e, CONFIG, () => 0.25)).toBe(4_000);
  });

  it("never retries a deployment that said the context is too long", () => {
    const e = new ProviderError({ kind: "context_too_long", reason: "400" });
    expect(retryAt(1_000, 1, e, CONFIG, () => 0.25)).toBe(Infinity);
  });
});

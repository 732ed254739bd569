import { describe, expect, it } from "vitest";
import type { FailoverConfig } from "../../config/schema.js";
import { ProviderError } from "../../providers/errors.js";
import type { ErrorKind } from "../../providers/errors.js";
import { cooldownMs, fullJitterMs, isProviderFault, isRetryable, policyOf, retryAt, wakeJitterMs } from "./policy.js";
import type { KindPolicy } from "./policy.js";

const CONFIG = { backoffBaseMs: 100, backoffMaxMs: 1_000, rateLimitCooldownMs: 700, quotaCooldownMs: 60_000, maxRetryAfterMs: 10_000 } as FailoverConfig;

/** The rule per kind: retryable, provider fault, never again, cooldown (a 429 is never retried on the same deployment: issue 17). */
const EXPECTED: Record<ErrorKind, KindPolicy> = {
  rate_limited: { retryable: true, providerFault: false, neverAgain: true, cooldown: "rate_limit" },
  quota_exhausted: { retryable: true, providerFault: false, neverAgain: true, cooldown: "quota" },
  overloaded: { retryable: true, providerFault: true, neverAgain: false, cooldown: "none" },
  server_error: { retryable: true, providerFault: true, neverAgain: false, cooldown: "none" },
  timeout: { retryable: true, providerFault: true, neverAgain: false, cooldown: "none" },
  network: { retryable: true, providerFault: true, neverAgain: false, cooldown: "none" },
  auth: { retryable: true, providerFault: true, neverAgain: true, cooldown: "none" },
  invalid_request: { retryable: false, providerFault: false, neverAgain: false, cooldown: "none" },
  context_too_long: { retryable: true, providerFault: false, neverAgain: true, cooldown: "none" },
  content_filtered: { retryable: false, providerFault: false, neverAgain: false, cooldown: "none" },
  invalid_response: { retryable: true, providerFault: true, neverAgain: false, cooldown: "none" },
  cancelled: { retryable: false, providerFault: false, neverAgain: false, cooldown: "none" },
  model_unavailable: { retryable: true, providerFault: true, neverAgain: true, cooldown: "none" },
  queue_full: { retryable: true, providerFault: false, neverAgain: true, cooldown: "none" },
};
const KINDS = Object.keys(EXPECTED) as ErrorKind[];

describe("the policy table", () => {
  it.each(KINDS)("%s keeps its rule", (kind) => {
    const want = EXPECTED[kind];
    expect(policyOf(kind)).toEqual(want);
    expect(isRetryable(kind)).toBe(want.retryable);
    expect(isProviderFault(kind)).toBe(want.providerFault);
    const e = new ProviderError({ kind, reason: kind });
    expect(retryAt(1_000, 1, e, CONFIG, () => 0.5) === Infinity).toBe(want.neverAgain);
    expect(cooldownMs(kind, undefined, CONFIG) !== undefined).toBe(want.cooldown !== "none");
  });

  it("neither retries nor blames the provider for a cancelled, invalid or filtered request", () => {
    for (const kind of ["cancelled", "invalid_request", "content_filtered"] as const) {
      expect(isRetryable(kind)).toBe(false);
      expect(isProviderFault(kind)).toBe(false);
    }
  });
});

describe("model_unavailable", () => {
  it("is retried elsewhere and counts against the deployment's health", () => {
    expect(isRetryable("model_unavailable")).toBe(true);
    expect(isProviderFault("model_unavailable")).toBe(true);
    expect(isRetryable("invalid_request")).toBe(false);
  });
});

describe("cooldownMs", () => {
  it("cools a 429 for its Retry-After, else the configured rate-limit cooldown", () => {
    expect(cooldownMs("rate_limited", 2_000, CONFIG)).toBe(2_000);
    expect(cooldownMs("rate_limited", undefined, CONFIG)).toBe(700);
  });

  it("cools an exhausted quota for the longer of its Retry-After and the quota cooldown", () => {
    expect(cooldownMs("quota_exhausted", 1_000, CONFIG)).toBe(60_000);
    expect(cooldownMs("quota_exhausted", undefined, CONFIG)).toBe(60_000);
  });

  it("caps the provider's Retry-After at failover.maxRetryAfterMs", () => {
    expect(cooldownMs("rate_limited", 86_400_000, CONFIG)).toBe(10_000);
    expect(cooldownMs("quota_exhausted", 86_400_000, CONFIG)).toBe(60_000);
    expect(cooldownMs("quota_exhausted", 86_400_000, { ...CONFIG, quotaCooldownMs: 1_000 })).toBe(10_000);
  });

  it("starts no cooldown for any other kind, Retry-After or not", () => {
    for (const kind of KINDS.filter((k) => k !== "rate_limited" && k !== "quota_exhausted")) {
      expect(cooldownMs(kind, 5_000, CONFIG), kind).toBeUndefined();
    }
  });
});

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

  it("stays in [0, min(max, base * 2^(n-1))) for every retry", () => {
    for (let n = 1; n <= 12; n++) {
      const cap = Math.min(1_000, 100 * 2 ** (n - 1));
      expect(fullJitterMs(n, 100, 1_000, () => 0)).toBe(0);
      expect(fullJitterMs(n, 100, 1_000, () => 0.999_999)).toBeLessThan(cap);
      expect(fullJitterMs(n, 100, 1_000, () => 0.999_999)).toBeGreaterThan(cap * 0.999);
    }
  });
});

describe("retryAt", () => {
  it("backs off with jitter after a retryable failure", () => {
    const e = new ProviderError({ kind: "server_error", reason: "500" });
    expect(retryAt(1_000, 2, e, CONFIG, () => 0.25)).toBe(1_050);
  });

  it("waits the provider's Retry-After (a 503's) instead of the jitter", () => {
    const e = new ProviderError({ kind: "overloaded", reason: "503", retryAfterMs: 3_000 });
    expect(retryAt(1_000, 1, e, CONFIG, () => 0.25)).toBe(4_000);
  });

  it("caps the provider's Retry-After at failover.maxRetryAfterMs", () => {
    const e = new ProviderError({ kind: "overloaded", reason: "503", retryAfterMs: 86_400_000 });
    expect(retryAt(1_000, 1, e, CONFIG, () => 0.25)).toBe(11_000);
    const within = new ProviderError({ kind: "overloaded", reason: "503", retryAfterMs: 10_000 });
    expect(retryAt(1_000, 1, within, CONFIG, () => 0.25)).toBe(11_000);
  });

  it("never retries the same deployment after a 429, whatever its Retry-After: the request moves on", () => {
    for (const retryAfterMs of [undefined, 0, 300, 3_000]) {
      const e = new ProviderError({ kind: "rate_limited", reason: "429", ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
      expect(retryAt(1_000, 1, e, CONFIG, () => 0.25)).toBe(Infinity);
    }
  });

  it("never retries a deployment that said the context is too long", () => {
    const e = new ProviderError({ kind: "context_too_long", reason: "400" });
    expect(retryAt(1_000, 1, e, CONFIG, () => 0.25)).toBe(Infinity);
  });
});

describe("wakeJitterMs", () => {
  it("spreads wake-ups over half the wait, between the backoff base and maximum", () => {
    expect(wakeJitterMs(1_000, CONFIG, () => 0.5)).toBe(250); // spread 500
    expect(wakeJitterMs(1_000, CONFIG, () => 0)).toBe(0);
    expect(wakeJitterMs(50, CONFIG, () => 0.5)).toBe(50); // spread at least backoffBaseMs (100)
    expect(wakeJitterMs(60_000, CONFIG, () => 0.5)).toBe(500); // spread at most backoffMaxMs (1000)
  });
});

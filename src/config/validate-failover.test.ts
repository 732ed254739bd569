import { describe, expect, it } from "vitest";
import { ConfigError } from "./reader.js";
import { validateConfig } from "./validate.js";

const BASE = {
  providers: { p: { kind: "openai", baseUrl: "http://127.0.0.1:9" } },
  models: { m: { provider: "p", pricing: { inputPerMTok: 1, outputPerMTok: 2 } } },
  auth: { enabled: false },
};

function issues(doc: Record<string, unknown>): string[] {
  try {
    validateConfig({ ...BASE, ...doc });
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

describe("failover, breaker and hedge config", () => {
  it("has defaults for every failover and breaker field", () => {
    const c = validateConfig(BASE);
    expect(c.failover).toEqual({
      maxAttempts: 6,
      deadlineMs: 120_000,
      firstTokenTimeoutMs: 15_000,
      backoffBaseMs: 100,
      backoffMaxMs: 5_000,
      rateLimitCooldownMs: 10_000,
      quotaCooldownMs: 300_000,
      maxRetryAfterMs: 60_000,
      attemptTimeoutMs: 60_000,
      streamIdleMs: 30_000,
      maxWaitMs: 5_000,
      retryBudgetRatio: 0.5,
      retryBudgetMin: 10,
      retryBudgetWindowMs: 10_000,
    });
    expect(c.breaker).toEqual({ consecutiveFailures: 5, errorRate: 0.5, windowMs: 60_000, minRequests: 20, cooldownMs: 30_000, initialCooldownMs: 1_000, panicBelowErrorRate: 0.5 });
  });

  it("reads the panic bound and the retry budget", () => {
    const c = validateConfig({ ...BASE, breaker: { panicBelowErrorRate: 0 }, failover: { retryBudgetRatio: 0.2, retryBudgetMin: 0, retryBudgetWindowMs: 30_000 } });
    expect(c.breaker.panicBelowErrorRate).toBe(0);
    expect([c.failover.retryBudgetRatio, c.failover.retryBudgetMin, c.failover.retryBudgetWindowMs]).toEqual([0.2, 0, 30_000]);
  });

  it("reads the Retry-After cap", () => {
    expect(validateConfig({ ...BASE, failover: { maxRetryAfterMs: 5_000 } }).failover.maxRetryAfterMs).toBe(5_000);
  });

  it("starts the breaker at the whole cooldown when that is shorter than a second", () => {
    expect(validateConfig({ ...BASE, breaker: { cooldownMs: 250 } }).breaker.initialCooldownMs).toBe(250);
  });

  it("reads hedge delays, fixed or p95 with a fallback", () => {
    const c = validateConfig({ ...BASE, routes: { a: { models: ["m"], hedge: { delayMs: 80 } }, b: { models: ["m"], hedge: { delayMs: "p95", fallbackDelayMs: 300 } } } });
    expect(c.routes.get("a")?.hedge).toEqual({ delay: 80, fallbackDelayMs: 1_000 });
    expect(c.routes.get("b")?.hedge).toEqual({ delay: "p95", fallbackDelayMs: 300 });
  });

  it("names the offending field of an inconsistent or unknown setting", () => {
    expect(issues({ failover: { backoffBaseMs: 500, backoffMaxMs: 100 } })).toEqual(["failover.backoffMaxMs: must be at least failover.backoffBaseMs"]);
    expect(issues({ breaker: { cooldownMs: 1_000, initialCooldownMs: 5_000 } })).toEqual(["breaker.initialCooldownMs: must be at most breaker.cooldownMs"]);
    expect(issues({ failover: { maxRetryAfterMs: 0 } })).toEqual(["failover.maxRetryAfterMs: must be an integer from 1 to 3600000"]);
    expect(issues({ failover: { maxRetryAfterMs: 1.5 } })).toEqual(["failover.maxRetryAfterMs: must be an integer from 1 to 3600000"]);
    expect(issues({ failover: { streamIdleMs: 0 } })).toEqual(["failover.streamIdleMs: must be an integer from 1 to 3600000"]);
    expect(issues({ breaker: { panicBelowErrorRate: 1.5 } })).toEqual(["breaker.panicBelowErrorRate: must be a number from 0 to 1"]);
    expect(issues({ failover: { retryBudgetRatio: -1 } })).toEqual(["failover.retryBudgetRatio: must be a number from 0 to 10"]);
    expect(issues({ failover: { retryBudgetMin: 2.5 } })).toEqual(["failover.retryBudgetMin: must be an integer from 0 to 1000000"]);
    expect(issues({ failover: { retryBudgetWindowMs: 10 } })).toEqual(["failover.retryBudgetWindowMs: must be an integer from 100 to 3600000"]);
    expect(issues({ routes: { r: { models: ["m"], hedge: { delayMs: 10, extra: 1 } } } })[0]).toMatch(/^routes\.r\.hedge\.extra: unknown field/);
  });
});

import { describe, expect, it } from "vitest";
import type { ErrorKind } from "../../providers/errors.js";
import { Balancer } from "./balancer.js";
import type { CallResult, Deployment } from "./deployment.js";
import { verdictOf } from "./deployment.js";
import { configFor } from "../../../test/helpers/gateway-fixture.js";

let t = 0;
const clock = { now: () => t, monotonic: () => t };

function build(fields: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): { d: Deployment; balancer: Balancer } {
  const config = configFor({ m: fields }, { breaker: { consecutiveFailures: 2, cooldownMs: 1_000 }, failover: { rateLimitCooldownMs: 700, quotaCooldownMs: 60_000 }, ...extra });
  const balancer = new Balancer(config, clock);
  const d = balancer.deployment("m");
  if (!d) throw new Error("no deployment");
  return { d, balancer };
}

const fail = (errorKind: ErrorKind, extra: Partial<CallResult> = {}): CallResult => ({
  errorKind,
  neutral: false,
  retryAfterMs: undefined,
  usage: {},
  stream: false,
  firstAnswerMs: undefined,
  ...extra,
});
const ok = (firstAnswerMs = 100, stream = false): CallResult => ({ errorKind: undefined, neutral: false, retryAfterMs: undefined, usage: {}, stream, firstAnswerMs });

function call(d: Deployment, result: CallResult, tokens = 1): void {
  const ticket = d.admit(tokens, t);
  if (!("permit" in ticket)) throw new Error(`skipped: ${ticket.reason}`);
  d.finish(ticket, result, t);
}

describe("Deployment", () => {
  it("counts only provider-side failures against its breaker", () => {
    const { d } = build();
    t = 0;
    for (const kind of ["invalid_request", "content_filtered", "context_too_long", "cancelled", "rate_limited"] as const) {
      expect(verdictOf(fail(kind))).toBe("neutral");
    }
    call(d, fail("invalid_request"));
    call(d, fail("context_too_long"));
    call(d, fail("cancelled"));
    call(d, fail("server_error", { neutral: true })); // e.g. the request's own deadline
    call(d, fail("server_error"));
    expect(d.health(t)).toBe("healthy");
    call(d, fail("overloaded"));
    expect(d.health(t)).toBe("unhealthy");
    expect(d.check(1, t)?.reason).toBe("circuit_open");
  });

  it("reports probing while half-open and healthy once the probe succeeds", () => {
    const { d } = build();
    t = 10_000;
    call(d, fail("network"));
    call(d, fail("timeout"));
    t += 1_000;
    expect(d.health(t)).toBe("probing");
    const probe = d.admit(1, t);
    expect("permit" in probe && probe.permit.probe).toBe(true);
    expect(d.check(1, t)).toMatchObject({ reason: "probe_in_flight" });
    if ("permit" in probe) d.finish(probe, ok(), t);
    expect(d.health(t)).toBe("healthy");
  });

  it("stays probing after a probe succeeds while calls were turned away, with twice the probes", () => {
    const { d } = build();
    t = 12_000;
    call(d, fail("network"));
    call(d, fail("timeout"));
    t += 1_000;
    const probe = d.admit(1, t);
    expect(d.admit(1, t)).toMatchObject({ reason: "probe_in_flight" });
    if ("permit" in probe) d.finish(probe, ok(), t);
    expect(d.health(t)).toBe("probing");
    expect(d.breaker.probeAllowance).toBe(2);
  });

  it("holds retries to the budget: half a retry per first call, at least the minimum per window", () => {
    const { d } = build({}, { breaker: { consecutiveFailures: 1_000, minRequests: 1_000 }, failover: { retryBudgetRatio: 0.5, retryBudgetMin: 3, retryBudgetWindowMs: 10_000 } });
    t = 100_000;
    const retry = { retry: true, panic: false };
    const admitted = (mode = retry): boolean => {
      const ticket = d.admit(1, t, mode);
      if ("permit" in ticket) d.finish(ticket, fail("server_error"), t);
      return "permit" in ticket;
    };
    // The floor: three retries with no first call at all.
    expect([admitted(), admitted(), admitted(), admitted()]).toEqual([true, true, true, false]);
    expect(d.admit(1, t, retry)).toEqual({ model: "m", reason: "retry_budget", readyAt: Infinity });
    // Ten first calls make room for five retries in all.
    for (let i = 0; i < 10; i++) expect(admitted({ retry: false, panic: false })).toBe(true);
    expect([admitted(), admitted(), admitted()]).toEqual([true, true, false]);
    // The window passes: the floor again.
    t += 10_000;
    expect(admitted()).toBe(true);
  });

  it("lets a panic call past an open breaker, but not past a cooldown or the retry budget", () => {
    const { d } = build({}, { failover: { retryBudgetMin: 0, retryBudgetRatio: 0 } });
    t = 200_000;
    call(d, fail("network"));
    call(d, fail("network"));
    expect(d.admit(1, t)).toMatchObject({ reason: "circuit_open" });
    const panic = d.admit(1, t, { retry: false, panic: true });
    expect("permit" in panic && panic.permit.panic).toBe(true);
    if ("permit" in panic) d.finish(panic, ok(), t);
    expect(d.health(t)).toBe("unhealthy"); // a panic success does not close the breaker
    expect(d.admit(1, t, { retry: true, panic: true })).toMatchObject({ reason: "retry_budget" });
    const limited = d.admit(1, t, { retry: false, panic: true });
    if ("permit" in limited) d.finish(limited, fail("rate_limited", { retryAfterMs: 500 }), t);
    expect(d.admit(1, t, { retry: false, panic: true })).toMatchObject({ reason: "cooling_down", readyAt: t + 500 });
  });

  it("cools down for Retry-After after a 429 instead of losing health", () => {
    const { d } = build();
    t = 20_000;
    call(d, fail("rate_limited", { retryAfterMs: 2_000 }));
    expect(d.health(t)).toBe("cooling_down");
    expect(d.check(1, t)).toEqual({ model: "m", reason: "cooling_down", readyAt: 22_000 });
    expect(d.breaker.state(t)).toBe("closed");
    t = 22_000;
    expect(d.health(t)).toBe("healthy");
    expect(d.effectiveWeight(t)).toBe(1);
  });

  it("uses the configured cooldown for a 429 without Retry-After, a long one for quota", () => {
    const { d } = build();
    t = 30_000;
    call(d, fail("rate_limited"));
    expect(d.cooldownUntil).toBe(30_700);
    t = 40_000;
    call(d, fail("quota_exhausted", { retryAfterMs: 1_000 }));
    expect(d.cooldownUntil).toBe(100_000);
  });

  it("cools down a 429 with retry-after: 86400 only for failover.maxRetryAfterMs, not a day", () => {
    const { d } = build();
    t = 45_000;
    call(d, fail("rate_limited", { retryAfterMs: 86_400_000 }));
    expect(d.cooldownUntil).toBe(105_000);
    t = 105_000;
    expect(d.health(t)).toBe("healthy");
    expect(d.check(1, t)).toBeUndefined();
  });

  it("caps a quota failure's Retry-After too, but never below the quota cooldown", () => {
    const { d } = build({}, { failover: { quotaCooldownMs: 10_000, maxRetryAfterMs: 30_000 } });
    t = 0;
    call(d, fail("quota_exhausted", { retryAfterMs: 86_400_000 }));
    expect(d.cooldownUntil).toBe(30_000);
    const short = build({}, { failover: { quotaCooldownMs: 10_000, maxRetryAfterMs: 1_000 } }).d;
    call(short, fail("quota_exhausted", { retryAfterMs: 86_400_000 }));
    expect(short.cooldownUntil).toBe(10_000);
  });

  it("skips a deployment without headroom, and reports it cooling down", () => {
    const { d } = build({ rpm: 1, tpm: 1_000 });
    t = 50_000;
    expect(d.check(2_000, t)).toBeUndefined(); // bigger than the bucket but the bucket is full
    call(d, ok(), 500);
    expect(d.check(1, t)).toMatchObject({ reason: "rpm" });
    expect(d.health(t)).toBe("cooling_down");
  });

  it("applies rate-limit headers through the balancer", () => {
    const { d, balancer } = build();
    t = 60_000;
    balancer.applyHint("m", { remainingRequests: 0, resetMs: 5_000 });
    expect(d.check(1, t)).toEqual({ model: "m", reason: "rpm", readyAt: 65_000 });
    expect(balancer.health("m")).toBe("cooling_down");
  });

  it("caps a rate-limit reset header as it caps a Retry-After", () => {
    const { d, balancer } = build();
    t = 60_000;
    balancer.applyHint("m", { remainingTokens: 0, resetMs: 86_400_000 });
    expect(d.check(1, t)).toEqual({ model: "m", reason: "tpm", readyAt: 120_000 });
  });

  it("feeds latency statistics and in-flight counts", () => {
    const { d } = build();
    t = 70_000;
    const ticket = d.admit(1, t);
    expect(d.inflight).toBe(1);
    if ("permit" in ticket) d.finish(ticket, ok(250, true), t);
    expect(d.inflight).toBe(0);
    expect(d.stats.ttftMs).toBe(250);
    call(d, fail("server_error"));
    expect(d.stats.ttftMs).toBe(250);
  });

  it("wakes waiters when a call finishes", async () => {
    const { d, balancer } = build();
    const change = balancer.changed();
    let woke = false;
    void change.promise.then(() => {
      woke = true;
    });
    const ticket = d.admit(1, t);
    if ("permit" in ticket) balancer.finish(ticket, ok());
    await Promise.resolve();
    expect(woke).toBe(true);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Gateway } from "./gateway.js";
import { configFor, context, cycle, failed, fixture, request, fakeClock, served, settle } from "../../test/helpers/gateway-fixture.js";

const T0 = 1_000_000;
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const FAILOVER = { backoffBaseMs: 100, backoffMaxMs: 1_000, maxWaitMs: 1_000 };
const three = (extra: Record<string, unknown> = {}, failover: Record<string, unknown> = {}) =>
  configFor({ a: {}, b: {}, c: {} }, { routes: { r: { strategy: "ordered", models: ["a", "b", "c"] } }, failover: { ...FAILOVER, ...failover }, ...extra });

describe("unary failover", () => {
  it("moves a retryable failure to the next candidate at once", async () => {
    const { gateway, fakes } = fixture(three(), { a: { fail: "server_error" }, b: { ok: "from b" } });
    let at = 0;
    const out = served(await settle(gateway.complete(request("r"), context()).then((o) => ((at = fakeClock.now()), o))));
    expect(at).toBe(T0);
    expect(out.text).toBe("from b");
    expect(out.attempts.map((a) => [a.model, a.outcome, a.errorKind, a.failover])).toEqual([
      ["a", "failed", "server_error", false],
      ["b", "succeeded", undefined, true],
    ]);
    expect(fakes.c?.calls).toHaveLength(0);
  });

  it("returns an invalid request at once, never trying elsewhere", async () => {
    const { gateway, fakes } = fixture(three(), { a: { fail: "invalid_request", status: 400 } });
    const e = failed(await settle(gateway.complete(request("r"), context())));
    expect(e.code).toBe("invalid_argument");
    expect(e.attempts).toHaveLength(1);
    expect(fakes.b?.calls).toHaveLength(0);
  });

  it("fails with UNAVAILABLE and every attempt when all candidates fail", async () => {
    const { gateway, fakes } = fixture(three({}, { maxAttempts: 5 }), { a: { fail: "server_error" }, b: { fail: "network" }, c: { fail: "overloaded" } });
    const e = failed(await settle(gateway.complete(request("r"), context())));
    expect(e.code).toBe("unavailable");
    expect(e.attempts.map((a) => a.model)).toEqual(["a", "b", "c", "a", "b"]);
    expect(e.attempts.map((a) => a.number)).toEqual([1, 2, 3, 4, 5]);
    expect(fakes.a?.calls).toHaveLength(2);
  });

  it("fails with RESOURCE_EXHAUSTED when every candidate was rate limited", async () => {
    const { gateway } = fixture(three({}, { maxAttempts: 3 }), { a: { fail: "rate_limited" }, b: { fail: "rate_limited" }, c: { fail: "rate_limited" } });
    const e = failed(await settle(gateway.complete(request("r"), context())));
    expect(e.code).toBe("resource_exhausted");
    expect(e.attempts).toHaveLength(3);
  });

  it("retries the same deployment only after full-jitter exponential backoff", async () => {
    const config = configFor({ m: {} }, { failover: FAILOVER });
    const { gateway, fakes } = fixture(config, { m: (i) => (i < 2 ? { fail: "server_error" } : { ok: "third time" }) }, cycle(0.5));
    const p = gateway.complete(request("m"), context());
    await vi.advanceTimersByTimeAsync(49);
    expect(fakes.m?.calls).toHaveLength(1); // waits 0.5 * 100 ms
    await vi.advanceTimersByTimeAsync(1);
    expect(fakes.m?.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(99);
    expect(fakes.m?.calls).toHaveLength(2); // then 0.5 * 200 ms
    await vi.advanceTimersByTimeAsync(1);
    expect(served(await settle(p)).text).toBe("third time");
  });

  it("answers a 429 of the only deployment at once with RESOURCE_EXHAUSTED and the retry delay, never calling it again", async () => {
    const config = configFor({ m: {} }, { failover: FAILOVER });
    const { gateway, fakes } = fixture(config, { m: (i) => (i === 0 ? { fail: "rate_limited", retryAfterMs: 400 } : { ok: "later" }) });
    const e = failed(await settle(gateway.complete(request("m"), context()), 0));
    expect(e.code).toBe("resource_exhausted");
    expect(e.retryAfterMs).toBe(400);
    expect(e.message).toContain("every candidate is rate limited, retry after 0.4 s");
    expect(fakes.m?.calls).toHaveLength(1);
    expect(gateway.health("m")).toBe("cooling_down");
    // Once the delay has passed, the next request is served.
    await vi.advanceTimersByTimeAsync(400);
    expect(served(await settle(gateway.complete(request("m"), context()), 0)).text).toBe("later");
  });

  it("tells a delay no longer than failover.maxRetryAfterMs when a provider asks for a day", async () => {
    const config = configFor({ m: {} }, { failover: { ...FAILOVER, maxRetryAfterMs: 300 } });
    const { gateway, fakes } = fixture(config, { m: (i) => (i === 0 ? { fail: "rate_limited", retryAfterMs: 86_400_000 } : { ok: "later" }) });
    const e = failed(await settle(gateway.complete(request("m"), context()), 0));
    expect(e.retryAfterMs).toBe(300);
    await vi.advanceTimersByTimeAsync(300);
    expect(served(await settle(gateway.complete(request("m"), context()), 0)).text).toBe("later");
    expect(fakes.m?.calls).toHaveLength(2);
  });

  it("stops when Retry-After is beyond the longest wait, with RESOURCE_EXHAUSTED, and skips the deployment afterwards", async () => {
    const config = configFor({ m: {} }, { failover: { ...FAILOVER, maxWaitMs: 100 } });
    const { gateway, fakes } = fixture(config, { m: { fail: "rate_limited", retryAfterMs: 5_000 } });
    const first = failed(await settle(gateway.complete(request("m"), context()), 0));
    expect(first.code).toBe("resource_exhausted");
    const second = failed(await settle(gateway.complete(request("m"), context()), 0));
    expect(second.code).toBe("resource_exhausted");
    expect(second.attempts).toHaveLength(0);
    expect(second.message).toContain("m cooling_down");
    expect(fakes.m?.calls).toHaveLength(1);
  });

  it("ends at the client's deadline with DEADLINE_EXCEEDED and aborts the provider call", async () => {
    const { gateway, fakes } = fixture(three(), { a: { hang: true } });
    const p = gateway.complete(request("r"), context(T0 + 500));
    await vi.advanceTimersByTimeAsync(499);
    expect(fakes.a?.aborted).toBe(0);
    const e = failed(await settle(p, 1));
    expect(e.code).toBe("deadline_exceeded");
    expect(e.attempts[0]?.reason).toBe("request deadline");
    expect(fakes.a?.aborted).toBe(1);
    expect(gateway.health("a")).toBe("healthy"); // the client's deadline says nothing about the provider
  });

  it("gives each attempt its own timeout within the deadline", async () => {
    const { gateway } = fixture(three({}, { attemptTimeoutMs: 200 }), { a: { hang: true }, b: { ok: "b" } });
    const out = served(await settle(gateway.complete(request("r"), context())));
    expect(out.attempts.map((a) => [a.model, a.errorKind ?? "ok", a.reason])).toEqual([
      ["a", "timeout", "attempt timeout"],
      ["b", "ok", "ok"],
    ]);
    expect(out.attempts[0]?.latencyMs).toBe(200);
  });

  it("stops after max attempts", async () => {
    const { gateway, fakes } = fixture(three({}, { maxAttempts: 2 }), { a: { fail: "server_error" }, b: { fail: "server_error" } });
    const e = failed(await settle(gateway.complete(request("r"), context())));
    expect(e.attempts).toHaveLength(2);
    expect(fakes.c?.calls).toHaveLength(0);
  });

  it("returns CANCELLED when the client goes away", async () => {
    const { gateway, fakes } = fixture(three(), { a: { hang: true } });
    const client = new AbortController();
    const p = gateway.complete(request("r"), context(undefined, client.signal));
    await vi.advanceTimersByTimeAsync(10);
    client.abort();
    const e = failed(await settle(p));
    expect(e.code).toBe("cancelled");
    expect(e.attempts[0]?.outcome).toBe("aborted");
    expect(fakes.b?.calls).toHaveLength(0);
  });

  it("moves a context-too-long failure to a model with a larger window", async () => {
    const config = configFor({ small: { contextWindow: 1_000 }, smaller: { contextWindow: 900 }, large: { contextWindow: 100_000 } }, { routes: { r: { strategy: "ordered", models: ["small", "smaller", "large"] } } });
    const { gateway, fakes } = fixture(config, { small: { fail: "context_too_long", status: 400 } });
    const out = served(await settle(gateway.complete(request("r"), context())));
    expect(out.model).toBe("large");
    expect(fakes.smaller?.calls).toHaveLength(0);
  });

  it("answers INVALID_ARGUMENT when no larger window is left", async () => {
    const config = configFor({ small: { contextWindow: 1_000 }, large: { contextWindow: 100_000 } }, { routes: { r: { strategy: "ordered", models: ["small", "large"] } } });
    const { gateway } = fixture(config, { small: { fail: "context_too_long" }, large: { fail: "context_too_long" } });
    const e = failed(await settle(gateway.complete(request("r"), context())));
    expect(e.code).toBe("invalid_argument");
    expect(e.attempts).toHaveLength(2);
  });

  it("skips a deployment whose rate-limit headers say nothing remains", async () => {
    const { gateway, fakes } = fixture(three(), { a: { ok: "a", hint: { remainingRequests: 0, resetMs: 5_000 } } });
    expect(served(await settle(gateway.complete(request("r"), context()), 0)).model).toBe("a");
    const second = served(await settle(gateway.complete(request("r"), context()), 0));
    expect(second.model).toBe("b");
    expect(second.attempts).toHaveLength(1); // a skipped, not called
    expect(fakes.a?.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(served(await settle(gateway.complete(request("r"), context()))).model).toBe("a");
  });
});

describe("construction", () => {
  it("refuses a config naming a provider without an adapter", () => {
    expect(() => new Gateway({ config: three(), adapters: new Map(), clock: { now: () => 0, monotonic: () => 0 }, random: () => 0 })).toThrow(/model a: no adapter for provider p-a/);
  });
});

describe("breaker in the loop", () => {
  const config = three({ breaker: { consecutiveFailures: 2, cooldownMs: 1_000 } });

  it("opens after consecutive failures; then the deployment receives only half-open probes", async () => {
    let aDown = true;
    const { gateway, fakes } = fixture(config, { a: () => (aDown ? { fail: "server_error" } : { ok: "a is back" }) });
    for (let i = 0; i < 5; i++) expect(served(await settle(gateway.complete(request("r"), context()), 0)).model).toBe("b");
    expect(fakes.a?.calls).toHaveLength(2);
    expect(gateway.health("a")).toBe("unhealthy");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(gateway.health("a")).toBe("probing");
    const probed = served(await settle(gateway.complete(request("r"), context()), 0));
    expect(probed.attempts.map((a) => a.model)).toEqual(["a", "b"]);
    expect(gateway.health("a")).toBe("unhealthy");
    for (let i = 0; i < 5; i++) await settle(gateway.complete(request("r"), context()), 0);
    expect(fakes.a?.calls).toHaveLength(3);
    aDown = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(served(await settle(gateway.complete(request("r"), context()), 0)).model).toBe("a");
    expect(gateway.health("a")).toBe("healthy");
  });

  it("fails fast with UNAVAILABLE and no attempt when the only model's breaker is open and its error rate is high", async () => {
    // The first opening lasts the default initial cooldown (1 s), longer than the longest wait (500 ms). One
    // call makes a rate (minRequests 1): 100% failed, above the panic bound, so the panic rule does not apply.
    const single = configFor({ m: {} }, { breaker: { consecutiveFailures: 1, cooldownMs: 60_000, minRequests: 1 }, failover: { ...FAILOVER, maxAttempts: 1, maxWaitMs: 500 } });
    const { gateway, fakes } = fixture(single, { m: { fail: "network" } });
    await settle(gateway.complete(request("m"), context()), 0);
    const e = failed(await settle(gateway.complete(request("m"), context()), 0));
    expect(e.code).toBe("unavailable");
    expect(e.attempts).toHaveLength(0);
    expect(e.message).toContain("m circuit_open (ready in 1.0 s)");
    expect(fakes.m?.calls).toHaveLength(1);
  });

  it("waits for a breaker that half-opens within the longest wait", async () => {
    // As above, a known-bad rate: the request waits for the probe rather than panicking past the breaker.
    const single = configFor({ m: {} }, { breaker: { consecutiveFailures: 1, cooldownMs: 300, minRequests: 1 }, failover: { ...FAILOVER, maxAttempts: 1 } });
    const { gateway } = fixture(single, { m: (i) => (i === 0 ? { fail: "network" } : { ok: "probe ok" }) });
    await settle(gateway.complete(request("m"), context()), 0);
    const p = gateway.complete(request("m"), context());
    const out = served(await settle(p, 300));
    expect(out.text).toBe("probe ok");
    expect(gateway.health("m")).toBe("healthy");
  });
});

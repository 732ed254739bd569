/** Failover never makes things worse: the panic rule keeps the last deployment serving, retries keep to a budget. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GatewayError } from "./types.js";
import { configFor, context, fixture, request, served, settle } from "../../test/helpers/gateway-fixture.js";

beforeEach(() => {
  vi.useFakeTimers({ now: 2_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

// A wait shorter than the breaker's first cooldown (1 s): without the panic rule an open breaker fails the request.
const FAILOVER = { backoffBaseMs: 10, backoffMaxMs: 100, maxWaitMs: 100 };

describe("the panic rule", () => {
  it("keeps a sole model serving when its breaker opened on a run of bad luck", async () => {
    const config = configFor({ m: {} }, { breaker: { consecutiveFailures: 2 }, failover: FAILOVER });
    // Ten answers, two failures in a row (the breaker opens), then answers again.
    const { gateway, fakes } = fixture(config, { m: (i) => (i >= 10 && i < 12 ? { fail: "server_error" } : { ok: `answer ${i}` }) });
    for (let i = 0; i < 10; i++) served(await settle(gateway.complete(request("m"), context()), 0));
    const unlucky = served(await settle(gateway.complete(request("m"), context()), 500));
    expect(unlucky.attempts.map((a) => a.errorKind ?? "ok")).toEqual(["server_error", "server_error", "ok"]);
    expect(gateway.health("m")).toBe("unhealthy"); // the breaker is open: the panic rule served past it
    const next = served(await settle(gateway.complete(request("m"), context()), 0));
    expect(next.attempts).toHaveLength(1);
    expect(fakes.m?.calls).toHaveLength(14);
  });

  it("does not serve past the breaker once the recent error rate reaches the bound", async () => {
    // Twenty calls make a rate; the breaker opens after five failures in a row; 10 of 20 failed: 50%.
    const config = configFor({ m: {} }, { breaker: { consecutiveFailures: 5 }, failover: { ...FAILOVER, maxAttempts: 1 } });
    const { gateway, fakes } = fixture(config, { m: (i) => (i < 15 && i % 3 !== 0 ? { ok: "x" } : { fail: "network" }) });
    // Calls 0..14 alternate (5 failures, 10 answers), then failures: the fifth in a row opens it at call 19.
    for (let i = 0; i < 20; i++) await settle(gateway.complete(request("m"), context()), 0);
    expect(gateway.health("m")).toBe("unhealthy");
    const e = await settle(gateway.complete(request("m"), context()), 0);
    if (!(e instanceof GatewayError)) throw new Error("served");
    expect(e.code).toBe("unavailable");
    expect(e.attempts).toHaveLength(0);
    expect(e.message).toContain("m circuit_open");
    expect(fakes.m?.calls).toHaveLength(20);
  });

  it("is off with breaker.panicBelowErrorRate: 0", async () => {
    const config = configFor({ m: {} }, { breaker: { consecutiveFailures: 1, panicBelowErrorRate: 0 }, failover: { ...FAILOVER, maxAttempts: 1 } });
    const { gateway, fakes } = fixture(config, { m: (i) => (i === 0 ? { fail: "network" } : { ok: "x" }) });
    await settle(gateway.complete(request("m"), context()), 0);
    const e = await settle(gateway.complete(request("m"), context()), 0);
    expect(e instanceof GatewayError && e.code).toBe("unavailable");
    expect(fakes.m?.calls).toHaveLength(1);
  });

  it("does not apply while another candidate is healthy: the request fails over there", async () => {
    const config = configFor({ a: {}, b: {} }, { routes: { r: { strategy: "ordered", models: ["a", "b"] } }, breaker: { consecutiveFailures: 1 }, failover: FAILOVER });
    const { gateway, fakes } = fixture(config, { a: (i) => (i === 0 ? { fail: "network" } : { ok: "a" }) });
    await settle(gateway.complete(request("r"), context()), 0);
    for (let i = 0; i < 5; i++) expect(served(await settle(gateway.complete(request("r"), context()), 0)).model).toBe("b");
    expect(fakes.a?.calls).toHaveLength(1);
  });
});

describe("the retry budget", () => {
  it("gives a deployment failing every call at most 1.5 calls per request", async () => {
    // A breaker that never opens, so that only the budget holds the retries back (ratio 0.5, at least 10 per window).
    const config = configFor({ m: {} }, { breaker: { consecutiveFailures: 1_000, minRequests: 100_000 }, failover: { ...FAILOVER, maxAttempts: 6 } });
    const { gateway, fakes } = fixture(config, { m: { fail: "server_error", delayMs: 5 } });
    const requests = Array.from({ length: 100 }, () => settle(gateway.complete(request("m"), context()), 0));
    await vi.advanceTimersByTimeAsync(5_000);
    const ends = await Promise.all(requests);
    expect(ends.every((e) => e instanceof GatewayError && e.code === "unavailable")).toBe(true);
    const calls = fakes.m?.calls.length ?? 0;
    expect(calls).toBeGreaterThanOrEqual(150); // the whole budget is used: 100 first calls, 50 retries
    expect(calls).toBeLessThanOrEqual(150);
    const refused = ends.find((e) => e instanceof GatewayError && e.message.includes("m retry_budget"));
    expect(refused).toBeDefined();
  });

  it("still retries a deployment failing 30% of calls enough to serve every request", async () => {
    // Every third-and-a-bit call fails (30%), spread as 3 of every 10.
    const config = configFor({ m: {} }, { breaker: { consecutiveFailures: 1_000 }, failover: FAILOVER });
    const { gateway } = fixture(config, { m: (i) => ([1, 4, 7].includes(i % 10) ? { fail: "server_error", delayMs: 5 } : { ok: "x", delayMs: 5 }) });
    const requests = Array.from({ length: 200 }, () => settle(gateway.complete(request("m"), context()), 0));
    await vi.advanceTimersByTimeAsync(5_000);
    const ends = await Promise.all(requests);
    expect(ends.filter((e) => e instanceof GatewayError).map((e) => (e as GatewayError).message)).toEqual([]);
  });
});

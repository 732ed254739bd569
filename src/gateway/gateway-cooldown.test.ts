/** A shared 429 cooldown: requests that meet it wait it out once, each waking at its own jittered time. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GatewayError } from "./types.js";
import type { CompletionOutcome } from "./types.js";
import { configFor, context, cycle, fakeClock, fixture, request } from "../../test/helpers/gateway-fixture.js";

const T0 = 3_000_000;
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const FAILOVER = { backoffBaseMs: 100, backoffMaxMs: 1_000, maxWaitMs: 5_000 };

/** Starts a request and notes when (ms after T0) it ended, and how. */
function track(p: Promise<CompletionOutcome>): { end: Promise<{ at: number; out: CompletionOutcome | GatewayError }> } {
  const end = p.then(
    (out) => ({ at: fakeClock.now() - T0, out }),
    (e: unknown) => {
      if (e instanceof GatewayError) return { at: fakeClock.now() - T0, out: e };
      throw e;
    },
  );
  return { end };
}

describe("waiting for a shared cooldown", () => {
  it("wakes each waiting request at its own time, so one call finds the provider still limiting and the rest give up", async () => {
    const config = configFor({ m: {} }, { failover: FAILOVER });
    // Draws 0.1, 0.5, 0.9: wake-ups 50, 250 and 450 ms after the cooldown (spread: half of the 1 s wait).
    const { gateway, fakes } = fixture(config, { m: { fail: "rate_limited", retryAfterMs: 1_000 } }, cycle(0.1, 0.5, 0.9));
    const first = track(gateway.complete(request("m"), context()));
    await vi.advanceTimersByTimeAsync(0);
    const firstEnd = await first.end;
    expect(firstEnd.at).toBe(0); // RESOURCE_EXHAUSTED at once
    const waiting = [0, 1, 2].map(() => track(gateway.complete(request("m"), context())));
    await vi.advanceTimersByTimeAsync(1_049);
    expect(fakes.m?.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fakes.m?.calls).toHaveLength(2); // the first to wake calls, and renews the cooldown
    await vi.advanceTimersByTimeAsync(1_000);
    const ends = await Promise.all(waiting.map((w) => w.end));
    expect(fakes.m?.calls).toHaveLength(2); // the others woke later, found it renewed, and did not call
    expect(ends.map((e) => e.at)).toEqual([1_050, 1_250, 1_450]);
    for (const { out } of ends) {
      if (!(out instanceof GatewayError)) throw new Error("served");
      expect(out.code).toBe("resource_exhausted");
      expect(out.retryAfterMs).toBeGreaterThan(0);
    }
    const [called, , last] = ends.map((e) => e.out as GatewayError);
    expect(called?.attempts).toHaveLength(1);
    expect(last?.attempts).toHaveLength(0);
    expect(last?.message).toMatch(/every candidate is at its rate limit, retry after 0\.6 s \(not called: m cooling_down/);
  });

  it("serves the waiting requests once the provider is back, one after the other", async () => {
    const config = configFor({ m: {} }, { failover: FAILOVER });
    const { gateway, fakes } = fixture(config, { m: (i) => (i === 0 ? { fail: "rate_limited", retryAfterMs: 1_000 } : { ok: "back" }) }, cycle(0.1, 0.5, 0.9));
    const first = track(gateway.complete(request("m"), context()));
    await vi.advanceTimersByTimeAsync(0);
    expect((await first.end).out).toBeInstanceOf(GatewayError);
    const waiting = [0, 1, 2].map(() => track(gateway.complete(request("m"), context())));
    await vi.advanceTimersByTimeAsync(2_000);
    const ends = await Promise.all(waiting.map((w) => w.end));
    expect(ends.map((e) => [e.at, e.out instanceof GatewayError ? e.out.code : e.out.text])).toEqual([
      [1_050, "back"],
      [1_250, "back"],
      [1_450, "back"],
    ]);
    expect(fakes.m?.calls).toHaveLength(4);
  });
});

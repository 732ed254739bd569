import { describe, expect, it } from "vitest";
import type { BreakerConfig } from "../../config/schema.js";
import { Breaker } from "./breaker.js";
import type { BreakerVerdict } from "./breaker.js";
import { RollingWindow } from "./rolling-window.js";

const CONFIG: BreakerConfig = { consecutiveFailures: 3, errorRate: 0.5, windowMs: 10_000, minRequests: 10, cooldownMs: 1_000, initialCooldownMs: 1_000, panicBelowErrorRate: 0.5 };

/** Runs one permitted call with a verdict at `now`; fails the test when the breaker refuses it. */
function call(b: Breaker, verdict: BreakerVerdict, now: number): void {
  const permit = b.acquire(now);
  if (!permit) throw new Error(`refused at ${now}`);
  b.record(permit, verdict, now);
}

describe("Breaker", () => {
  it("opens after N consecutive failures, and a success in between resets the count", () => {
    const b = new Breaker(CONFIG);
    call(b, "failure", 0);
    call(b, "failure", 1);
    call(b, "success", 2);
    call(b, "failure", 3);
    call(b, "failure", 4);
    expect(b.state(5)).toBe("closed");
    call(b, "failure", 5);
    expect(b.state(6)).toBe("open");
    expect(b.check(6)).toEqual({ reason: "circuit_open", readyAt: 1_005 });
    expect(b.acquire(500)).toBeUndefined();
  });

  it("ignores neutral results", () => {
    const b = new Breaker(CONFIG);
    for (let i = 0; i < 20; i++) call(b, "neutral", i);
    call(b, "failure", 30);
    call(b, "neutral", 31);
    call(b, "failure", 32);
    expect(b.state(33)).toBe("closed");
  });

  it("opens on the error rate over the window only with the minimum volume", () => {
    const b = new Breaker({ ...CONFIG, consecutiveFailures: 100 });
    // 4 failures in 8 calls: 50%, but below the minimum of 10 calls.
    for (let i = 0; i < 8; i++) call(b, i % 2 === 0 ? "failure" : "success", i);
    expect(b.state(8)).toBe("closed");
    expect(b.failureRate(8)).toBeUndefined();
    call(b, "success", 9);
    expect(b.failureRate(9)).toBeUndefined();
    call(b, "failure", 10); // 5 of 10: 50% with the minimum volume
    expect(b.state(11)).toBe("open");
  });

  it("forgets failures older than the window", () => {
    const b = new Breaker({ ...CONFIG, consecutiveFailures: 100 });
    for (let i = 0; i < 9; i++) call(b, "failure", i);
    // Ten seconds later the old failures are gone: 1 failure and 9 successes stay under 50%.
    for (let i = 0; i < 9; i++) call(b, "success", 20_000 + i);
    call(b, "failure", 20_010);
    expect(b.state(20_011)).toBe("closed");
    expect(b.failureRate(20_011)).toBeCloseTo(0.1);
  });

  it("half-opens after the cooldown with one probe, and closes when it succeeds with nobody turned away", () => {
    const b = new Breaker(CONFIG);
    for (let i = 0; i < 3; i++) call(b, "failure", 0);
    expect(b.state(999)).toBe("open");
    expect(b.state(1_000)).toBe("half_open");
    const probe = b.acquire(1_000);
    expect(probe?.probe).toBe(true);
    expect(b.check(1_001)).toEqual({ reason: "probe_in_flight", readyAt: undefined });
    if (probe) b.record(probe, "success", 1_050);
    expect(b.state(1_050)).toBe("closed");
    expect(b.acquire(1_051)?.probe).toBe(false);
  });

  it("under load admits twice as many probes after each success, and closes once the allowance covers the traffic", () => {
    const b = new Breaker(CONFIG);
    for (let i = 0; i < 3; i++) call(b, "failure", 0);
    const now = 1_000;
    const allowed: number[] = [];
    // Eight calls at a time keep arriving; the probes admitted succeed one by one.
    for (let round = 0; round < 6 && b.state(now) === "half_open"; round++) {
      const permits = Array.from({ length: 8 }, () => b.acquire(now)).filter((p) => p !== undefined);
      allowed.push(permits.length);
      for (const p of permits) b.record(p, "success", now);
    }
    // 1 probe, then 2 and 4 (turned-away calls each time), then 8: nobody turned away, closed at its first success.
    expect(allowed).toEqual([1, 2, 4, 8]);
    expect(b.state(now)).toBe("closed");
  });

  it("reopens when any probe of a larger allowance fails", () => {
    const b = new Breaker(CONFIG);
    for (let i = 0; i < 3; i++) call(b, "failure", 0);
    const first = b.acquire(1_000);
    expect(b.acquire(1_000)).toBeUndefined(); // turned away
    if (first) b.record(first, "success", 1_001);
    expect(b.probeAllowance).toBe(2);
    const [p1, p2] = [b.acquire(1_002), b.acquire(1_002)];
    if (!p1 || !p2) throw new Error("two probes expected");
    b.record(p1, "failure", 1_003);
    expect(b.state(1_003)).toBe("open");
    b.record(p2, "success", 1_004); // from the reopened generation's predecessor: ignored
    expect(b.state(1_004)).toBe("open");
    expect(b.probeAllowance).toBe(1);
  });

  it("lets panic calls past any state; their results feed the recent error rate, never the state", () => {
    const b = new Breaker(CONFIG);
    for (let i = 0; i < 3; i++) call(b, "failure", 0);
    const panic = b.bypass(10);
    expect(panic).toMatchObject({ probe: false, panic: true });
    b.record(panic, "success", 20);
    expect(b.state(20)).toBe("open");
    const probe = b.acquire(1_000);
    const late = b.bypass(1_000);
    b.record(late, "success", 1_001); // a panic success while half-open does not close it
    expect(b.state(1_001)).toBe("half_open");
    if (probe) b.record(probe, "failure", 1_002);
    expect(b.state(1_002)).toBe("open");
  });

  it("reads the recent error rate over every call, counting at least minRequests calls, never forgotten on closing", () => {
    const b = new Breaker(CONFIG);
    for (let i = 0; i < 3; i++) call(b, "failure", 0);
    expect(b.recentErrorRate(0)).toBeCloseTo(3 / 10); // 3 failures, fewer than the 10 calls that make a rate
    const probe = b.acquire(1_000);
    if (probe) b.record(probe, "success", 1_000);
    expect(b.state(1_000)).toBe("closed");
    for (let i = 0; i < 15; i++) call(b, i % 5 === 0 ? "failure" : "success", 1_000);
    expect(b.recentErrorRate(1_000)).toBeCloseTo(6 / 19);
    expect(b.failureRate(1_000)).toBeCloseTo(3 / 15); // the closed window started over
    expect(b.recentErrorRate(20_000)).toBe(0); // the window has passed
  });

  it("reopens for another cooldown when the probe fails", () => {
    const b = new Breaker(CONFIG);
    for (let i = 0; i < 3; i++) call(b, "failure", 0);
    const probe = b.acquire(1_000);
    if (!probe) throw new Error("no probe");
    b.record(probe, "failure", 1_100);
    expect(b.state(1_100)).toBe("open");
    expect(b.state(2_099)).toBe("open");
    expect(b.state(2_100)).toBe("half_open");
    expect(b.timesOpened).toBe(2);
  });

  it("doubles the open period after each failed probe, up to the cooldown, and starts over once closed", () => {
    const b = new Breaker({ ...CONFIG, initialCooldownMs: 100, cooldownMs: 350 });
    for (let i = 0; i < 3; i++) call(b, "failure", 0);
    const opened: number[] = [];
    let now = 0;
    for (let round = 0; round < 4; round++) {
      let probe = b.acquire(now);
      while (!probe) probe = b.acquire(++now);
      opened.push(now);
      b.record(probe, "failure", now);
    }
    // Open 100, then 200, then 350 (capped), then 350 ms.
    expect(opened).toEqual([100, 300, 650, 1_000]);
    const probe = b.acquire(1_350);
    if (!probe) throw new Error("no probe");
    b.record(probe, "success", 1_350);
    expect(b.nextCooldownMs).toBe(100);
  });

  it("frees the probe slot when the probe ends neutral (client gone, hedge lost)", () => {
    const b = new Breaker(CONFIG);
    for (let i = 0; i < 3; i++) call(b, "failure", 0);
    const probe = b.acquire(1_000);
    if (!probe) throw new Error("no probe");
    b.record(probe, "neutral", 1_010);
    expect(b.state(1_010)).toBe("half_open");
    expect(b.acquire(1_011)?.probe).toBe(true);
  });

  it("ignores late results of calls admitted before it opened", () => {
    const b = new Breaker(CONFIG);
    const late = b.acquire(0);
    for (let i = 0; i < 3; i++) call(b, "failure", 1);
    const probe = b.acquire(2_000);
    if (!late || !probe) throw new Error("no permit");
    b.record(late, "success", 2_001); // from the closed generation: must not close the breaker
    expect(b.state(2_001)).toBe("half_open");
    b.record(probe, "failure", 2_002);
    expect(b.state(2_002)).toBe("open");
  });
});

describe("RollingWindow", () => {
  it("counts outcomes of the last window only", () => {
    const w = new RollingWindow(1_000);
    w.add(0, true);
    w.add(50, false);
    w.add(950, false);
    expect(w.counts(990)).toEqual({ ok: 2, failed: 1 });
    expect(w.counts(1_050)).toEqual({ ok: 1, failed: 0 });
    w.reset();
    expect(w.counts(1_050)).toEqual({ ok: 0, failed: 0 });
  });
});

import { describe, expect, it } from "vitest";
import { DAY_MS, startRetention } from "./retention.js";
import type { IntervalTimers } from "./retention.js";

class FakeTimers implements IntervalTimers {
  fn: (() => void) | undefined;
  every = 0;
  cleared = false;
  setInterval(fn: () => void, ms: number): unknown {
    this.fn = fn;
    this.every = ms;
    return 7;
  }
  clearInterval(handle: unknown): void {
    this.cleared = handle === 7;
  }
}

describe("startRetention", () => {
  it("prunes rows older than N days at once and then every day, with the clock of each run", async () => {
    const cutoffs: number[] = [];
    let now = 100 * DAY_MS;
    const timers = new FakeTimers();
    const errors: unknown[] = [];
    const retention = startRetention({ prune: async (before) => (cutoffs.push(before), 3) }, 30, () => now, (e) => errors.push(e), timers);
    expect(await retention.first).toBe(3);
    expect(cutoffs).toEqual([70 * DAY_MS]);
    expect(timers.every).toBe(DAY_MS);
    now += DAY_MS;
    timers.fn?.();
    expect(cutoffs).toEqual([70 * DAY_MS, 71 * DAY_MS]);
    retention.stop();
    expect(timers.cleared).toBe(true);
    expect(errors).toEqual([]);
  });

  it("reports the errors of daily runs", async () => {
    const timers = new FakeTimers();
    const errors: unknown[] = [];
    let fail = false;
    const retention = startRetention({ prune: async () => { if (fail) throw new Error("locked"); return 0; } }, 1, () => DAY_MS, (e) => errors.push(e), timers);
    await retention.first;
    fail = true;
    timers.fn?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(String(errors[0])).toContain("locked");
  });
});

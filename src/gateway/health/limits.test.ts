import { describe, expect, it } from "vitest";
import { DEFAULT_HINT_RESET_MS, DeploymentLimits, TokenBucket } from "./limits.js";

describe("TokenBucket", () => {
  it("starts full and refills at capacity per minute", () => {
    const b = new TokenBucket(60, 0);
    b.take(60, 0);
    expect(b.level(0)).toBe(0);
    expect(b.level(1_000)).toBeCloseTo(1);
    expect(b.readyAt(3, 1_000)).toBe(3_000);
    expect(b.level(600_000)).toBe(60);
  });

  it("gives back and clamps within capacity", () => {
    const b = new TokenBucket(10, 0);
    b.take(8, 0);
    b.give(100, 0);
    expect(b.level(0)).toBe(10);
    b.clamp(3, 0);
    expect(b.level(0)).toBe(3);
  });
});

describe("DeploymentLimits", () => {
  it("skips when the requests-per-minute bucket is empty, until it refills", () => {
    const l = new DeploymentLimits(2, undefined, 0);
    expect(l.check(100, 0)).toBeUndefined();
    l.take(100, 0);
    l.take(100, 0);
    expect(l.check(100, 0)).toEqual({ reason: "rpm", readyAt: 30_000 });
    expect(l.check(100, 30_000)).toBeUndefined();
  });

  it("skips when the tokens-per-minute bucket has no room for the estimate", () => {
    const l = new DeploymentLimits(undefined, 1_000, 0);
    l.take(800, 0);
    expect(l.check(300, 0)?.reason).toBe("tpm");
    expect(l.check(200, 0)).toBeUndefined();
  });

  it("lets a request larger than the whole TPM bucket go when the bucket is full", () => {
    const l = new DeploymentLimits(undefined, 1_000, 0);
    expect(l.check(5_000, 0)).toBeUndefined();
  });

  it("settles the estimate against the reported usage", () => {
    const l = new DeploymentLimits(undefined, 1_000, 0);
    l.take(900, 0); // estimate: input + max output
    expect(l.check(200, 0)?.reason).toBe("tpm");
    l.settle(900, 150, 0); // only 150 were used
    expect(l.check(800, 0)).toBeUndefined();
    l.settle(100, undefined, 0); // unknown usage keeps the estimate
    expect(l.check(800, 0)).toBeUndefined();
  });

  it("never claims more than the provider's remaining headers say", () => {
    const l = new DeploymentLimits(100, 100_000, 0);
    l.applyHint({ remainingRequests: 1, remainingTokens: 50_000 }, 0);
    expect(l.check(60_000, 0)?.reason).toBe("tpm");
    expect(l.check(10, 0)).toBeUndefined();
    l.take(10, 0);
    expect(l.check(10, 0)?.reason).toBe("rpm");
  });

  it("blocks a dimension at zero remaining until the reset, even without a configured limit", () => {
    const l = new DeploymentLimits(undefined, undefined, 0);
    l.applyHint({ remainingRequests: 0, resetMs: 2_500 }, 100);
    expect(l.check(1, 100)).toEqual({ reason: "rpm", readyAt: 2_600 });
    expect(l.check(1, 2_600)).toBeUndefined();
    l.applyHint({ remainingTokens: 0 }, 3_000);
    expect(l.check(1, 3_000)).toEqual({ reason: "tpm", readyAt: 3_000 + DEFAULT_HINT_RESET_MS });
  });
});

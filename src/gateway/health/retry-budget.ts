/**
 * The retry budget of one deployment (after Envoy's retry budget and gRPC's retry throttling): retries of
 * the deployment (calls after it already failed within the same request) may be at most a fraction of its
 * first calls over a sliding window, with a floor per window so that light traffic can still retry.
 * Failing every call, a deployment then sees at most 1 + ratio calls per request. Time is passed in.
 */
import { RollingWindow } from "./rolling-window.js";

/** A deployment's retry budget. */
export class RetryBudget {
  readonly #ratio: number;
  readonly #min: number;
  /** Counts per window: "ok" holds first calls, "failed" holds retries. */
  readonly #calls: RollingWindow;

  /** At most `ratio` retries per first call, or `min` per window when that is more, over `windowMs`. */
  constructor(ratio: number, min: number, windowMs: number) {
    this.#ratio = ratio;
    this.#min = min;
    this.#calls = new RollingWindow(windowMs);
  }

  /** True when one more retry fits the budget at `now`. */
  allows(now: number): boolean {
    const { ok: first, failed: retries } = this.#calls.counts(now);
    return retries < Math.max(this.#min, this.#ratio * first);
  }

  /** Counts an admitted call: a retry spends the budget, a first call grows it. */
  spend(now: number, retry: boolean): void {
    this.#calls.add(now, retry);
  }
}

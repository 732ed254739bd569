/** A simulated provider's own requests-per-minute limit: a fixed one-minute window, as a provider's headers describe it. */

const WINDOW_MS = 60_000;

/** What one request found in the window. */
export interface WindowVerdict {
  readonly ok: boolean;
  /** Requests left in the window after this one. */
  readonly remaining: number;
  /** Milliseconds until the window resets. */
  readonly resetMs: number;
}

/** Counts requests in fixed one-minute windows, the first starting at the first request. */
export class RateWindow {
  readonly #limit: number;
  #start = -Infinity;
  #used = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Counts a request at `now` (ms) when the window has room; says what is left either way. */
  take(now: number): WindowVerdict {
    if (now - this.#start >= WINDOW_MS) {
      this.#start = now;
      this.#used = 0;
    }
    const resetMs = this.#start + WINDOW_MS - now;
    if (this.#used >= this.#limit) return { ok: false, remaining: 0, resetMs };
    this.#used++;
    return { ok: true, remaining: this.#limit - this.#used, resetMs };
  }
}

/** The OpenAI-style rate-limit headers of a verdict (the simulator sends these whatever its wire format). */
export function rateHeaders(limit: number, v: WindowVerdict): Record<string, string> {
  return {
    "x-ratelimit-limit-requests": String(limit),
    "x-ratelimit-remaining-requests": String(v.remaining),
    "x-ratelimit-reset-requests": `${(v.resetMs / 1000).toFixed(3)}s`,
  };
}

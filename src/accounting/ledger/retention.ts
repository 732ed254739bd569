/** Retention of the ledger: prune rows older than N days at start and then once a day. */

import { DAY_MS } from "./utc.js";

/** One day in milliseconds (re-exported for callers of retention). */
export { DAY_MS };

/** Timer functions, injected so tests drive them. */
export interface IntervalTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** Something that prunes (a Ledger or a LedgerStore). */
export interface Prunable {
  prune(beforeMs: number): Promise<number>;
}

/** A running retention schedule. */
export interface Retention {
  /** The first pruning, started at once: resolves with the number of rows deleted. */
  readonly first: Promise<number>;
  /** Stops the daily pruning. */
  stop(): void;
}

const NODE_TIMERS: IntervalTimers = {
  setInterval: (fn, ms) => {
    const handle = setInterval(fn, ms);
    handle.unref();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

/**
 * Deletes rows older than `retentionDays` now and every `everyMs` (default a day). Errors of the
 * daily runs go to `onError`; the first run's error rejects `first`.
 */
export function startRetention(
  target: Prunable,
  retentionDays: number,
  now: () => number,
  onError: (err: unknown) => void,
  timers: IntervalTimers = NODE_TIMERS,
  everyMs: number = DAY_MS,
): Retention {
  const run = (): Promise<number> => target.prune(now() - retentionDays * DAY_MS);
  const first = run();
  const handle = timers.setInterval(() => {
    run().catch(onError);
  }, everyMs);
  return { first, stop: () => timers.clearInterval(handle) };
}

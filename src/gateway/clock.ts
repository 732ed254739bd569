/** Injected time and randomness, so every decision can be driven by tests. */

/** A source of time in milliseconds. */
export interface Clock {
  /** Wall-clock epoch milliseconds (for records and deadlines). */
  now(): number;
  /** Monotonic milliseconds (for durations). */
  monotonic(): number;
}

/** A source of uniform random numbers in [0, 1). */
export type Random = () => number;

/** The real clock and random source, injected into the core by the composition root. */
import type { Clock, Random } from "../gateway/clock.js";

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};

/** The real random source. */
export const systemRandom: Random = Math.random;

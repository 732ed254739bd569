/** The listener's pure decisions: whether a new connection is served, and when a run of refusals is logged. */

/** What becomes of a new connection: served, served for health checks only, or refused at once. */
export type Admission = "serve" | "health-only" | "refuse";

/** Decides a new connection's admission from the connections already open (the new one not counted). */
export function admit(open: number, maxConnections: number, healthConnections: number): Admission {
  if (open < maxConnections) return "serve";
  return open < maxConnections + healthConnections ? "health-only" : "refuse";
}

/** The request paths a health-only connection serves. */
export const HEALTH_PATH_PREFIX = "/grpc.health.v1.Health/";

/** What to log about a refusal: nothing (inside a burst), or the start of a new burst (with the last one's count). */
export type BurstNote = { readonly start: false } | { readonly start: true; readonly previousCount: number };

/**
 * Groups refusals into bursts so that a flood is logged once, not per connection: a refusal more than
 * `quietMs` after the previous one starts a new burst, and the start of a burst is reported with how many
 * the previous burst refused.
 */
export class RefusalBursts {
  readonly #quietMs: number;
  #last = Number.NEGATIVE_INFINITY;
  #count = 0;

  constructor(quietMs: number) {
    this.#quietMs = quietMs;
  }

  /** Records a refusal at `now` (monotonic ms). */
  refused(now: number): BurstNote {
    const start = now - this.#last > this.#quietMs;
    this.#last = now;
    if (!start) {
      this.#count++;
      return { start: false };
    }
    const previousCount = this.#count;
    this.#count = 1;
    return { start: true, previousCount };
  }
}

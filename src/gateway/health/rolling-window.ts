/** Success and failure counts over a sliding time window, kept in a fixed ring of buckets. */

const BUCKETS = 10;

/** Counts in a window. */
export interface WindowCounts {
  readonly ok: number;
  readonly failed: number;
}

/** A sliding window of outcome counts; time is passed in (monotonic ms), never read. */
export class RollingWindow {
  readonly #bucketMs: number;
  readonly #starts = new Array<number>(BUCKETS).fill(-Infinity);
  readonly #ok = new Array<number>(BUCKETS).fill(0);
  readonly #failed = new Array<number>(BUCKETS).fill(0);

  /** A window of `windowMs`, split in ten buckets. */
  constructor(windowMs: number) {
    this.#bucketMs = Math.max(1, windowMs / BUCKETS);
  }

  /** Counts one outcome at time `now`. */
  add(now: number, failed: boolean): void {
    const start = Math.floor(now / this.#bucketMs) * this.#bucketMs;
    const i = Math.floor(now / this.#bucketMs) % BUCKETS;
    if (this.#starts[i] !== start) {
      this.#starts[i] = start;
      this.#ok[i] = 0;
      this.#failed[i] = 0;
    }
    if (failed) this.#failed[i] = (this.#failed[i] ?? 0) + 1;
    else this.#ok[i] = (this.#ok[i] ?? 0) + 1;
  }

  /** The counts of the buckets that overlap the last window before `now`. */
  counts(now: number): WindowCounts {
    const oldest = Math.floor(now / this.#bucketMs) * this.#bucketMs - (BUCKETS - 1) * this.#bucketMs;
    let ok = 0;
    let failed = 0;
    for (let i = 0; i < BUCKETS; i++) {
      if ((this.#starts[i] ?? -Infinity) >= oldest) {
        ok += this.#ok[i] ?? 0;
        failed += this.#failed[i] ?? 0;
      }
    }
    return { ok, failed };
  }

  /** Forgets everything. */
  reset(): void {
    this.#starts.fill(-Infinity);
    this.#ok.fill(0);
    this.#failed.fill(0);
  }
}

/**
 * Token buckets held in this process for the time the shared Redis cannot be reached: each limit is replaced by
 * this replica's share of it (see Link.share), so the replicas together stay near the limit. A bucket whose
 * capacity changes (another replica count, a reloaded limit) starts fresh.
 */
import { TokenBucket } from "../../health/limits.js";

/** One limit to take from: a capacity per minute and how much to take of it. */
export interface ShareTake {
  readonly name: string;
  readonly capacity: number;
  readonly need: number;
}

/** The first limit that refuses, its index among the takes, its capacity and the wait until it has room. */
export interface ShareRefusal {
  readonly index: number;
  readonly capacity: number;
  readonly retryInMs: number;
}

/** Local buckets by name (monotonic ms). */
export class LocalShare {
  readonly #buckets = new Map<string, TokenBucket>();

  /** Takes every `need` (all or none; a need of 0 is not checked) or answers the first limit that refuses. */
  take(takes: readonly ShareTake[], now: number): ShareRefusal | undefined {
    const buckets = takes.map((t) => this.#of(t.name, t.capacity, now));
    for (const [index, t] of takes.entries()) {
      const bucket = buckets[index];
      if (!bucket || t.need <= 0) continue;
      const need = Math.min(t.need, bucket.capacity);
      if (bucket.level(now) < need) return { index, capacity: bucket.capacity, retryInMs: bucket.readyAt(t.need, now) - now };
    }
    for (const [index, t] of takes.entries()) if (t.need > 0) buckets[index]?.take(t.need, now);
    return undefined;
  }

  /** Takes (`delta` > 0) or gives back (< 0) tokens of a bucket that exists. */
  adjust(name: string, delta: number, now: number): void {
    const bucket = this.#buckets.get(name);
    if (!bucket) return;
    if (delta > 0) bucket.take(delta, now);
    else if (delta < 0) bucket.give(-delta, now);
  }

  /** Forgets every bucket (Redis is back: the shared buckets count again). */
  clear(): void {
    this.#buckets.clear();
  }

  #of(name: string, capacity: number, now: number): TokenBucket {
    let bucket = this.#buckets.get(name);
    if (!bucket || bucket.capacity !== capacity) {
      bucket = new TokenBucket(capacity, now);
      this.#buckets.set(name, bucket);
    }
    return bucket;
  }
}

/**
 * What admission keeps per client key (requests and tokens per minute) in this process, behind the seam that the
 * shared state of several replicas implements too (../shared/shared-state.ts).
 */
import type { ClientKeyConfig } from "../../config/auth.js";
import { TokenBucket } from "../health/limits.js";
import type { KeyLimitRefusal, KeyState } from "../shared/shared-state.js";

export type { KeyLimitRefusal, KeyState } from "../shared/shared-state.js";

interface Buckets {
  readonly rpm: TokenBucket | undefined;
  readonly tpm: TokenBucket | undefined;
}

/**
 * Key limits held in this process (monotonic ms). With `share` > 1 each limit is that share of the configured one
 * (rounded up): the local part of a limit that `share` processes enforce without shared state.
 */
export class LocalKeyState implements KeyState {
  readonly #buckets = new Map<string, Buckets>();
  readonly #share: number;

  constructor(share = 1) {
    this.#share = Math.max(1, share);
  }

  /** Takes one request and `tokens` from the key's limits (both or neither), or says which refuses. */
  take(key: ClientKeyConfig, tokens: number, now: number): KeyLimitRefusal | undefined {
    if (key.rpm === undefined && key.tpm === undefined) return undefined;
    const b = this.#of(key, now);
    const refusal = (b.rpm && refuses(b.rpm, 1, "requests", now)) ?? (b.tpm && tokens > 0 ? refuses(b.tpm, tokens, "tokens", now) : undefined);
    if (refusal) return refusal;
    b.rpm?.take(1, now);
    if (tokens > 0) b.tpm?.take(tokens, now);
    return undefined;
  }

  /** Settles a finished request's reserved tokens with those it really used. */
  settle(key: ClientKeyConfig, reserved: number, used: number, unknown: boolean, now: number): void {
    const bucket = this.#buckets.get(key.id)?.tpm;
    if (!bucket) return;
    if (used > reserved) bucket.take(used - reserved, now);
    else if (!unknown) bucket.give(reserved - used, now);
  }

  #of(key: ClientKeyConfig, now: number): Buckets {
    let b = this.#buckets.get(key.id);
    const rpm = shareOf(key.rpm, this.#share);
    const tpm = shareOf(key.tpm, this.#share);
    // A key kept across a config reload keeps its buckets; a key whose limits changed starts on fresh ones.
    if (!b || b.rpm?.capacity !== rpm || b.tpm?.capacity !== tpm) {
      b = { rpm: rpm ? new TokenBucket(rpm, now) : undefined, tpm: tpm ? new TokenBucket(tpm, now) : undefined };
      this.#buckets.set(key.id, b);
    }
    return b;
  }
}

/** The refusal of a bucket that cannot give `need` now. */
function refuses(bucket: TokenBucket, need: number, limit: KeyLimitRefusal["limit"], now: number): KeyLimitRefusal | undefined {
  if (bucket.level(now) >= Math.min(need, bucket.capacity)) return undefined;
  return { limit, capacity: bucket.capacity, retryInMs: bucket.readyAt(need, now) - now };
}

/** One process's share of a per-minute limit enforced by `share` processes (at least 1). */
export function shareOf(limit: number | undefined, share: number): number | undefined {
  return limit === undefined ? undefined : Math.max(1, Math.ceil(limit / share));
}

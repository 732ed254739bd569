/**
 * What admission keeps per client key (requests and tokens per minute), behind the one seam that the shared
 * state for several replicas implements too: in process here.
 */
import type { ClientKeyConfig } from "../../config/auth.js";
import { TokenBucket } from "../health/limits.js";

/** Which of a key's limits refuses a request, and when it will have room. */
export interface KeyLimitRefusal {
  readonly limit: "requests" | "tokens";
  /** The limit per minute. */
  readonly capacity: number;
  /** Milliseconds until the limit has room for the request. */
  readonly retryInMs: number;
}

/** Per-key limit state: taken at admission, settled when the request ends. */
export interface KeyState {
  /** Takes one request and `tokens` from the key's limits (both or neither), or says which refuses. */
  take(key: ClientKeyConfig, tokens: number, now: number): KeyLimitRefusal | undefined;
  /**
   * Settles the `reserved` tokens a finished request took at admission with the tokens it really `used`: what it
   * used beyond is taken, what it did not use is given back, unless `unknown` (a cut stream): then nothing is.
   */
  settle(keyId: string, reserved: number, used: number, unknown: boolean, now: number): void;
}

interface Buckets {
  readonly rpm: TokenBucket | undefined;
  readonly tpm: TokenBucket | undefined;
}

/** Key limits held in this process (monotonic ms). */
export class LocalKeyState implements KeyState {
  readonly #buckets = new Map<string, Buckets>();

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
  settle(keyId: string, reserved: number, used: number, unknown: boolean, now: number): void {
    const bucket = this.#buckets.get(keyId)?.tpm;
    if (!bucket) return;
    if (used > reserved) bucket.take(used - reserved, now);
    else if (!unknown) bucket.give(reserved - used, now);
  }

  #of(key: ClientKeyConfig, now: number): Buckets {
    let b = this.#buckets.get(key.id);
    // A key kept across a config reload keeps its buckets; a key whose limits changed starts on fresh ones.
    if (!b || b.rpm?.capacity !== key.rpm || b.tpm?.capacity !== key.tpm) {
      b = { rpm: key.rpm ? new TokenBucket(key.rpm, now) : undefined, tpm: key.tpm ? new TokenBucket(key.tpm, now) : undefined };
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

/** RPM and TPM limits of one deployment as token buckets, refined by the provider's rate-limit headers. */
import type { RateLimitHint } from "../../providers/wire.js";

const MINUTE_MS = 60_000;
/** How long a "nothing remaining" header blocks a dimension when it gives no reset time, ms. */
export const DEFAULT_HINT_RESET_MS = 1_000;

/** A token bucket: `capacity` tokens, refilled continuously at `capacity` per minute. */
export class TokenBucket {
  readonly capacity: number;
  #level: number;
  #at: number;

  /** A full bucket at time `now`. */
  constructor(capacity: number, now: number) {
    this.capacity = capacity;
    this.#level = capacity;
    this.#at = now;
  }

  /** Tokens available at `now`. */
  level(now: number): number {
    this.#refill(now);
    return this.#level;
  }

  /** Takes `n` tokens (the level may go negative: a debt paid by the refill). */
  take(n: number, now: number): void {
    this.#refill(now);
    this.#level -= n;
  }

  /** Gives back `n` tokens, never above capacity. */
  give(n: number, now: number): void {
    this.#refill(now);
    this.#level = Math.min(this.capacity, this.#level + n);
  }

  /** Lowers the level to at most `n` (the provider knows better). */
  clamp(n: number, now: number): void {
    this.#refill(now);
    this.#level = Math.min(this.#level, n);
  }

  /** When `n` tokens will be available (now, if they are), monotonic ms. */
  readyAt(n: number, now: number): number {
    this.#refill(now);
    const need = Math.min(n, this.capacity) - this.#level;
    return need <= 0 ? now : now + Math.ceil((need * MINUTE_MS) / this.capacity);
  }

  #refill(now: number): void {
    if (now > this.#at) this.#level = Math.min(this.capacity, this.#level + ((now - this.#at) * this.capacity) / MINUTE_MS);
    this.#at = Math.max(this.#at, now);
  }
}

/** Why a deployment has no headroom. */
export interface LimitRefusal {
  readonly reason: "rpm" | "tpm";
  /** Monotonic ms when there will be headroom again. */
  readonly readyAt: number;
}

/** The request and token limits of one deployment. */
export class DeploymentLimits {
  readonly #requests: TokenBucket | undefined;
  readonly #tokens: TokenBucket | undefined;
  #requestsBlockedUntil = 0;
  #tokensBlockedUntil = 0;

  /** Limits from config (undefined for none), starting full at `now`. */
  constructor(rpm: number | undefined, tpm: number | undefined, now: number) {
    this.#requests = rpm === undefined ? undefined : new TokenBucket(rpm, now);
    this.#tokens = tpm === undefined ? undefined : new TokenBucket(tpm, now);
  }

  /** Whether a call of `tokens` (estimated) fits now; a refusal says until when it does not. */
  check(tokens: number, now: number): LimitRefusal | undefined {
    if (now < this.#requestsBlockedUntil) return { reason: "rpm", readyAt: this.#requestsBlockedUntil };
    if (this.#requests && this.#requests.level(now) < 1) return { reason: "rpm", readyAt: this.#requests.readyAt(1, now) };
    if (now < this.#tokensBlockedUntil) return { reason: "tpm", readyAt: this.#tokensBlockedUntil };
    // A request larger than the whole bucket waits for a full bucket rather than never going.
    if (this.#tokens && this.#tokens.level(now) < Math.min(tokens, this.#tokens.capacity)) {
      return { reason: "tpm", readyAt: this.#tokens.readyAt(tokens, now) };
    }
    return undefined;
  }

  /** Takes one request and `tokens` from the buckets. */
  take(tokens: number, now: number): void {
    this.#requests?.take(1, now);
    this.#tokens?.take(tokens, now);
  }

  /** Corrects the token bucket once the real usage is known (`used` undefined: keep the estimate). */
  settle(estimated: number, used: number | undefined, now: number): void {
    if (!this.#tokens || used === undefined) return;
    if (used < estimated) this.#tokens.give(estimated - used, now);
    else if (used > estimated) this.#tokens.take(used - estimated, now);
  }

  /** Blocks a dimension until `until` (monotonic ms): the limit shared by replicas has no room before then. */
  block(reason: "rpm" | "tpm", until: number): void {
    if (reason === "rpm") this.#requestsBlockedUntil = Math.max(this.#requestsBlockedUntil, until);
    else this.#tokensBlockedUntil = Math.max(this.#tokensBlockedUntil, until);
  }

  /** Applies the provider's rate-limit headers: buckets never claim more than the provider says remains. */
  applyHint(hint: RateLimitHint, now: number): void {
    const reset = now + (hint.resetMs ?? DEFAULT_HINT_RESET_MS);
    if (hint.remainingRequests !== undefined) {
      this.#requests?.clamp(hint.remainingRequests, now);
      if (hint.remainingRequests <= 0) this.#requestsBlockedUntil = Math.max(this.#requestsBlockedUntil, reset);
    }
    if (hint.remainingTokens !== undefined) {
      this.#tokens?.clamp(hint.remainingTokens, now);
      if (hint.remainingTokens <= 0) this.#tokensBlockedUntil = Math.max(this.#tokensBlockedUntil, reset);
    }
  }
}

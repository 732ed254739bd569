/**
 * A client key's RPM and TPM shared by every replica: two token buckets in one Redis value, taken by one Lua script
 * (both or neither). While Redis cannot be reached, each replica takes from its local share of the limits (capacity divided
 * by the live replicas last counted); when Redis is back, the shared buckets count again (fresh if Redis restarted).
 */
import type { ClientKeyConfig } from "../../../config/auth.js";
import type { KeyLimitRefusal, KeyState, Maybe } from "../shared-state.js";
import { StateUnavailableError } from "../shared-state.js";
import type { Link, Script } from "./link.js";
import { LocalShare } from "./local-share.js";
import type { ShareTake } from "./local-share.js";
import { BUCKET_ADJUST, KEY_TAKE } from "./lua.js";

/** Key limits in Redis, with a local share while it is unreachable. */
export class RedisKeys implements KeyState {
  readonly #link: Link;
  readonly #take: Script;
  readonly #adjust: Script;
  readonly #local = new LocalShare();

  constructor(link: Link) {
    this.#link = link;
    this.#take = link.define("llmgwKeyTake", KEY_TAKE);
    this.#adjust = link.define("llmgwBucketAdjust", BUCKET_ADJUST);
    link.onChange((up) => {
      if (up) this.#local.clear();
    });
  }

  /** Takes one request and `tokens` from the key's shared limits (both or neither), or says which refuses. */
  take(key: ClientKeyConfig, tokens: number, now: number): Maybe<KeyLimitRefusal | undefined> {
    if (key.rpm === undefined && key.tpm === undefined) return undefined;
    if (!this.#link.up) return this.#fallback(key, tokens, now);
    return this.#shared(key, tokens, now);
  }

  /** Settles a finished request's reserved tokens with those it really used (fire and forget). */
  settle(key: ClientKeyConfig, reserved: number, used: number, unknown: boolean, now: number): void {
    if (key.tpm === undefined) return;
    const delta = used > reserved ? used - reserved : unknown ? 0 : used - reserved;
    if (delta === 0) return;
    if (!this.#link.up) return this.#local.adjust(`${key.id}:tpm`, delta, now);
    const tpm = key.tpm;
    this.#link.run(() => this.#adjust([this.#limits(key)], [tpm, delta])).catch(() => this.#link.counts.failedWrites++);
  }

  async #shared(key: ClientKeyConfig, tokens: number, now: number): Promise<KeyLimitRefusal | undefined> {
    let answer: unknown;
    try {
      answer = await this.#link.run(() => this.#take([this.#limits(key)], [key.rpm ?? 0, key.tpm ?? 0, Math.max(0, tokens)]));
    } catch (err) {
      if (err instanceof StateUnavailableError) return this.#fallback(key, tokens, now);
      throw err;
    }
    if (!Array.isArray(answer) || answer[0] === 0) return undefined;
    return { limit: answer[0] === 1 ? "requests" : "tokens", capacity: Number(answer[1]), retryInMs: Number(answer[2]) };
  }

  #fallback(key: ClientKeyConfig, tokens: number, now: number): KeyLimitRefusal | undefined {
    this.#link.counts.keys++;
    const takes: (ShareTake & { readonly limit: KeyLimitRefusal["limit"] })[] = [];
    if (key.rpm !== undefined) takes.push({ limit: "requests", name: `${key.id}:rpm`, capacity: this.#link.share(key.rpm), need: 1 });
    if (key.tpm !== undefined) takes.push({ limit: "tokens", name: `${key.id}:tpm`, capacity: this.#link.share(key.tpm), need: tokens });
    const refusal = this.#local.take(takes, now);
    if (!refusal) return undefined;
    return { limit: takes[refusal.index]?.limit ?? "requests", capacity: refusal.capacity, retryInMs: refusal.retryInMs };
  }

  #limits(key: ClientKeyConfig): string {
    return this.#link.key("key", key.id);
  }
}

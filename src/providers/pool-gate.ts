/**
 * Admission to one provider's connection pool: calls in flight plus queued for a connection, bounded in all
 * and per upstream model. A call past a bound is refused at once (never queued), so a spike costs the
 * client milliseconds and a RESOURCE_EXHAUSTED instead of a long wait that ends in a timeout.
 */
import { ProviderError } from "./errors.js";

/** The bounds of one gate. */
export interface GateLimits {
  /** Calls in flight plus queued, in all. */
  readonly total: number;
  /** Calls in flight plus queued for one upstream model. */
  readonly perModel: number;
}

/** Counts admitted calls of one pool; `enter` before dispatch, the returned `leave` once the exchange is over. */
export class PoolGate {
  readonly #limits: GateLimits;
  readonly #byModel = new Map<string, number>();
  #total = 0;

  constructor(limits: GateLimits) {
    this.#limits = limits;
  }

  /** Calls admitted now (in flight plus queued). */
  get admitted(): number {
    return this.#total;
  }

  /** Admits a call for `model` and returns its release (idempotent); throws a `queue_full` ProviderError past a bound. */
  enter(model: string, provider: string): () => void {
    const mine = this.#byModel.get(model) ?? 0;
    if (this.#total >= this.#limits.total) throw full(`provider ${provider} has ${this.#total} calls in flight and queued (bound ${this.#limits.total})`);
    if (mine >= this.#limits.perModel) throw full(`model ${model} has ${mine} calls in flight and queued at provider ${provider} (bound ${this.#limits.perModel})`);
    this.#total++;
    this.#byModel.set(model, mine + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.#total--;
      const n = (this.#byModel.get(model) ?? 1) - 1;
      if (n > 0) this.#byModel.set(model, n);
      else this.#byModel.delete(model);
    };
  }
}

function full(reason: string): ProviderError {
  return new ProviderError({ kind: "queue_full", reason });
}

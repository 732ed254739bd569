/**
 * Recent latency of one deployment: EWMA of time to first token (streams) and of total latency
 * (unary calls), and a p95 of each, which is what each kind of client waits for.
 */

/** Weight of the newest sample in the moving averages. */
export const EWMA_ALPHA = 0.3;
/** Samples kept for a percentile. */
export const P95_SAMPLES = 100;
/** Samples needed before a percentile is trusted. */
export const P95_MIN_SAMPLES = 10;

/** An EWMA with a ring of recent samples. */
class Series {
  #ewma: number | undefined;
  readonly #recent: number[] = [];
  #next = 0;

  add(ms: number): void {
    this.#ewma = this.#ewma === undefined ? ms : EWMA_ALPHA * ms + (1 - EWMA_ALPHA) * this.#ewma;
    if (this.#recent.length < P95_SAMPLES) this.#recent.push(ms);
    else this.#recent[this.#next] = ms;
    this.#next = (this.#next + 1) % P95_SAMPLES;
  }

  get ewma(): number | undefined {
    return this.#ewma;
  }

  p95(): number | undefined {
    if (this.#recent.length < P95_MIN_SAMPLES) return undefined;
    const sorted = [...this.#recent].sort((a, b) => a - b);
    return sorted[Math.ceil(0.95 * sorted.length) - 1];
  }
}

/** A deployment's latency statistics; samples are passed in, time is never read. */
export class LatencyStats {
  readonly #ttft = new Series();
  readonly #total = new Series();

  /** Records a successful call: a stream's time to first token, or a unary call's total, ms. */
  record(stream: boolean, ms: number): void {
    (stream ? this.#ttft : this.#total).add(ms);
  }

  /** EWMA of streams' time to first token, ms; undefined before any sample. */
  get ttftMs(): number | undefined {
    return this.#ttft.ewma;
  }

  /** EWMA of unary calls' total latency, ms; undefined before any sample. */
  get totalMs(): number | undefined {
    return this.#total.ewma;
  }

  /** The p95 of recent first-token times (streams) or total latencies (unary), when there are enough samples. */
  p95(stream: boolean): number | undefined {
    return (stream ? this.#ttft : this.#total).p95();
  }

  /** The latency that matters for a request: first token for streams, total for unary; the other kind when only it is known. */
  score(stream: boolean): number | undefined {
    return stream ? (this.#ttft.ewma ?? this.#total.ewma) : (this.#total.ewma ?? this.#ttft.ewma);
  }
}

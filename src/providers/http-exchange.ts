/**
 * One HTTP exchange with a provider as an undici dispatch handler: the response head as a promise, the body
 * as chunks pulled one at a time (with backpressure), the caller's signal and the total timeout applied by
 * aborting the request directly. No body stream, no async iterator of a stream and no AbortController per
 * call: each costs microseconds that show at thousands of calls per second (see bench/RESULTS.md).
 */
import type { Dispatcher } from "undici";
import { ProviderError } from "./errors.js";
import type { HeaderMap } from "./wire.js";

/** Status and headers of a response. */
export interface ResponseHead {
  readonly statusCode: number;
  readonly headers: HeaderMap;
}

/** Bytes queued before the socket is paused, and the level at which it resumes. */
const HIGH_WATER = 256 * 1024;
const LOW_WATER = 64 * 1024;

/** A dispatched request and its response. */
export class Exchange implements Dispatcher.DispatchHandler {
  /** Resolves when the response head arrives; rejects when the exchange fails before it. */
  readonly head: Promise<ResponseHead>;
  readonly #caller: AbortSignal;
  readonly #timer: NodeJS.Timeout;
  readonly #onCallerAbort = (): void => this.#abort(cancelled(this.#caller.reason));
  #resolveHead: (head: ResponseHead) => void = () => undefined;
  #rejectHead: (err: unknown) => void = () => undefined;
  #controller: Dispatcher.DispatchController | undefined;
  #aborted: ProviderError | undefined;
  #error: unknown;
  #failed = false;
  #ended = false;
  #queue: Buffer[] = [];
  #queued = 0;
  #wake: (() => void) | undefined;
  #onDispatched: (() => void) | undefined;

  /** `onDispatched` is told once when the request is written to a connection (it has left the pool's queue). */
  constructor(caller: AbortSignal, totalMs: number, onDispatched?: () => void) {
    this.#caller = caller;
    this.#onDispatched = onDispatched;
    this.head = new Promise<ResponseHead>((resolve, reject) => {
      this.#resolveHead = resolve;
      this.#rejectHead = reject;
    });
    // A failure before anyone awaits the head must not be an unhandled rejection.
    this.head.catch(() => undefined);
    this.#timer = setTimeout(() => this.#abort(new ProviderError({ kind: "timeout", reason: "total timeout" })), totalMs);
    if (caller.aborted) this.#abort(cancelled(caller.reason));
    else caller.addEventListener("abort", this.#onCallerAbort, { once: true });
  }

  /** Why the exchange was aborted (the caller's cancel, the total timeout), if it was: what any failure after it means. */
  get aborted(): ProviderError | undefined {
    return this.#aborted;
  }

  /** The next body chunk; undefined at the end of the body; throws what failed the exchange. */
  async next(): Promise<Buffer | undefined> {
    for (;;) {
      const chunk = this.#queue.shift();
      if (chunk !== undefined) {
        this.#queued -= chunk.length;
        if (this.#controller?.paused && this.#queued <= LOW_WATER) this.#controller.resume();
        return chunk;
      }
      if (this.#failed) throw this.#error;
      if (this.#ended) return undefined;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  /**
   * The rest of the body as text, at most `limit` bytes. Past the limit the exchange is cancelled and the
   * text read so far is returned (`truncate`, for error bodies) or the body is an invalid response.
   */
  async text(limit: number, truncate: boolean): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for (let chunk = await this.next(); chunk !== undefined; chunk = await this.next()) {
      if (size + chunk.length > limit) {
        this.cancel();
        if (truncate) break;
        throw new ProviderError({ kind: "invalid_response", reason: `response body over ${limit} bytes` });
      }
      size += chunk.length;
      chunks.push(chunk);
    }
    return (chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size)).toString("utf8");
  }

  /** Stops the exchange when its reader leaves early, so the socket is not left half-read. */
  cancel(): void {
    if (this.#ended || this.#failed) return;
    this.#fail(new Error("exchange cancelled by the gateway"));
    this.#controller?.abort(new Error("exchange cancelled by the gateway"));
  }

  /** Clears the timer and the caller listener. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#caller.removeEventListener("abort", this.#onCallerAbort);
  }

  /** undici: the request is on a socket; aborts it at once when the exchange already failed. */
  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#failed) controller.abort(this.#error instanceof Error ? this.#error : new Error(String(this.#error)));
    else this.#dispatched();
  }

  /** undici: status and headers arrived. */
  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: HeaderMap): void {
    this.#resolveHead({ statusCode, headers });
  }

  /** undici: a body chunk; queued, and the socket paused past the high-water mark. */
  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#failed) return;
    this.#queue.push(chunk);
    this.#queued += chunk.length;
    if (this.#queued > HIGH_WATER) controller.pause();
    this.#wakeUp();
  }

  /** undici: the body ended. */
  onResponseEnd(): void {
    this.#ended = true;
    this.#wakeUp();
  }

  /** undici: the exchange failed (socket, timeout, abort). */
  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.#fail(err);
  }

  #fail(err: unknown): void {
    if (this.#failed || this.#ended) return;
    this.#failed = true;
    this.#error = err;
    this.#rejectHead(err);
    this.#wakeUp();
  }

  #dispatched(): void {
    const fn = this.#onDispatched;
    this.#onDispatched = undefined;
    fn?.();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #abort(err: ProviderError): void {
    if (this.#aborted !== undefined || this.#ended || this.#failed) return;
    this.#aborted = err;
    // Fail now even when the request still waits in the pool; onRequestStart aborts it when its turn comes.
    this.#fail(err);
    this.#controller?.abort(err);
  }
}

/** The failure of an exchange its caller cancelled; the signal's reason (a scope's cause) goes with it. */
function cancelled(reason: unknown): ProviderError {
  return new ProviderError({ kind: "cancelled", reason: "cancelled", cause: reason });
}

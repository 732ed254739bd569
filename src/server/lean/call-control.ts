/** What both fast paths need of a call: its cancellation and deadline, and reading the request body whole. */
import { Code, ConnectError } from "@connectrpc/connect";
import type { Readable } from "node:stream";
import type { CallCancel } from "../../service/cancel-key.js";

/**
 * A call's cancellation: aborted with CANCELED when the client goes away before the answer was ended, or with
 * DEADLINE_EXCEEDED when the armed deadline passes (as connect-node does). Listeners are a plain list; the
 * AbortSignal is made only when someone reads `signal` (an AbortController and its EventTarget listeners cost
 * several microseconds a call).
 */
export class CallControl implements CallCancel {
  #controller: AbortController | undefined;
  #reason: ConnectError | undefined;
  #listeners: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;
  #deadline: number | undefined;
  #ended = false;
  #closed = false;

  /** Watches `res` for the client going away. */
  constructor(res: { once(event: "close", listener: () => void): unknown }) {
    res.once("close", () => {
      this.#closed = true;
      if (!this.#ended) this.#abort(new ConnectError("the client cancelled the call", Code.Canceled));
    });
  }

  /** Aborted when the client goes away or the deadline passes (made on first use). */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#reason) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** True once aborted. */
  get aborted(): boolean {
    return this.#reason !== undefined;
  }

  /** Why it aborted; undefined before. */
  get reason(): ConnectError | undefined {
    return this.#reason;
  }

  /** Calls `fn` once on abort; returns a function that unregisters it. */
  onAbort(fn: () => void): () => void {
    if (this.#reason) {
      fn();
      return () => undefined;
    }
    this.#listeners.push(fn);
    return () => {
      const i = this.#listeners.indexOf(fn);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /** The deadline (epoch ms), once armed; undefined for none. */
  get deadline(): number | undefined {
    return this.#deadline;
  }

  /** True once the client went away (nothing more can be written). */
  get closed(): boolean {
    return this.#closed;
  }

  /** True once the answer was ended by the server. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Marks the answer as ended by the server: a later close is not a cancel. */
  end(): void {
    this.#ended = true;
  }

  /** Starts the deadline timer; undefined for none. */
  arm(timeoutMs: number | undefined): void {
    if (timeoutMs === undefined) return;
    this.#deadline = Date.now() + timeoutMs;
    const expire = (): void => this.#abort(new ConnectError("the operation timed out", Code.DeadlineExceeded));
    if (timeoutMs <= 0) expire();
    else this.#timer = setTimeout(expire, timeoutMs);
  }

  /** Clears the deadline timer. */
  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }

  #abort(reason: ConnectError): void {
    if (this.#reason) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const fn of listeners) fn();
  }
}

/**
 * Reads a request body whole. `check` sees each new total (and the chunks so far) and may refuse with an
 * error, which stops buffering (what the client still sends is dropped). Rejects with CANCELED when the client
 * resets the stream first.
 */
export function readWhole(req: Readable, check: (size: number, chunks: readonly Buffer[]) => ConnectError | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (err: ConnectError | undefined): void => {
      if (settled) return;
      settled = true;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("close", onClose);
      if (err === undefined) {
        resolve(chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size));
        return;
      }
      req.resume();
      reject(err);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      const err = check(size, chunks);
      if (err) settle(err);
    };
    const onEnd = (): void => settle(undefined);
    const onClose = (): void => settle(new ConnectError("the client cancelled the call", Code.Canceled));
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("close", onClose);
  });
}

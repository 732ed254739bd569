/** What both lean paths need of a call: its scope (cancellation and deadline), and reading the request body whole. */
import { Code, ConnectError } from "@connectrpc/connect";
import type { Readable } from "node:stream";
import { Scope } from "../../service/edge.js";

/**
 * A lean-path call's lifetime: its scope (the one cancellation primitive, handed to the service), armed with the
 * client's deadline once, here, and ended as the client's when the client goes away before the answer was ended.
 * The handler context's AbortSignal is the scope's, made only when someone reads it.
 */
export class CallControl {
  /** The call's scope: "client" when the client goes away, "deadline" at the client's deadline. */
  readonly scope = new Scope();
  #ended = false;
  #closed = false;

  /** Watches `res` for the client going away. */
  constructor(res: { once(event: "close", listener: () => void): unknown }) {
    res.once("close", () => {
      this.#closed = true;
      if (!this.#ended) this.scope.clientGone(Date.now());
    });
  }

  /** The deadline (epoch ms), once armed; undefined for none. */
  get deadline(): number | undefined {
    return this.scope.deadline;
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

  /** Arms the client's deadline, `timeoutMs` from now; undefined for none. */
  arm(timeoutMs: number | undefined): void {
    this.scope.setDeadline(timeoutMs, Date.now());
  }

  /** Clears the deadline timer. */
  dispose(): void {
    this.scope.dispose();
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

/** Resolves once a response can take more bytes ("drain"), or once it closed. */
export function drained(res: { once(event: "drain" | "close", listener: () => void): unknown; off(event: "drain" | "close", listener: () => void): unknown }): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}

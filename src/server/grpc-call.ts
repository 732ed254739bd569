/** One call on the gRPC fast path: its cancellation and deadline, and writing messages, headers and the status trailers. */
import { toBinary } from "@bufbuild/protobuf";
import type { DescMessage, Message } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { constants } from "node:http2";
import type { Http2ServerResponse } from "node:http2";
import { frame } from "./grpc-envelope.js";
import { specEncode } from "./grpc-message.js";

type NodeHeaders = Record<string, string>;

/** Copies Headers into a plain object (nothing when empty, the common case). */
function assign(target: NodeHeaders, h: Headers): NodeHeaders {
  h.forEach((value, key) => {
    target[key] = value;
  });
  return target;
}

/** The trailers of a successful call: what the handler set, and status 0. */
function okTrailers(trailer: Headers): NodeHeaders {
  const out = assign({}, trailer);
  out["grpc-status"] = "0";
  return out;
}

/** The trailers of a failed call: status, spec-encoded message, details, and the error's metadata. */
export function errorTrailers(err: unknown, trailer: Headers | undefined): NodeHeaders {
  const e = err instanceof ConnectError ? err : new ConnectError("internal error", Code.Internal, undefined, undefined, err);
  const out = assign({}, setTrailerStatus(new Headers(trailer), e));
  out["grpc-message"] = specEncode(out["grpc-message"] ?? "");
  return out;
}

/** A call's state on the fast path. */
export class GrpcCall {
  readonly #controller = new AbortController();
  readonly #res: Http2ServerResponse;
  readonly #type: string;
  #timer: NodeJS.Timeout | undefined;
  #deadline: number | undefined;
  /** The response was ended by us: a later close is not a cancel. */
  #ended = false;
  #closed = false;
  /** The trailer a handler or interceptor set, for error trailers. */
  #trailer: Headers | undefined;

  constructor(res: Http2ServerResponse, contentType: string) {
    this.#res = res;
    this.#type = contentType;
    res.once("close", () => {
      this.#closed = true;
      if (!this.#ended) this.#controller.abort(new ConnectError("the client cancelled the call", Code.Canceled));
    });
  }

  /** Aborted when the client goes away or the deadline passes. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The deadline (epoch ms) from grpc-timeout, once armed; undefined for none. */
  get deadline(): number | undefined {
    return this.#deadline;
  }

  /** Starts the deadline timer (grpc-timeout), as connect-node does: the signal aborts with DEADLINE_EXCEEDED. */
  arm(timeoutMs: number | undefined): void {
    if (timeoutMs === undefined) return;
    this.#deadline = Date.now() + timeoutMs;
    const expire = (): void => this.#controller.abort(new ConnectError("the operation timed out", Code.DeadlineExceeded));
    if (timeoutMs <= 0) expire();
    else this.#timer = setTimeout(expire, timeoutMs);
  }

  /** Sends a unary answer: headers, one message, status 0. */
  sendUnary(bytes: Uint8Array, header: Headers, trailer: Headers): void {
    if (this.#closed) return;
    this.#trailer = trailer;
    this.#res.writeHead(200, assign({ "content-type": this.#type }, header));
    this.#res.addTrailers(okTrailers(trailer));
    this.#ended = true;
    this.#res.end(frame(bytes));
  }

  /** Sends a stream of messages (with backpressure), then status 0; stops the source when the client goes away. */
  async sendStream(source: AsyncIterable<Message>, schema: DescMessage, header: Headers, trailer: Headers): Promise<void> {
    this.#trailer = trailer;
    const it = source[Symbol.asyncIterator]();
    let finished = false;
    try {
      for (;;) {
        const step = await it.next();
        if (step.done) {
          finished = true;
          break;
        }
        if (this.#closed) return;
        if (!this.#res.headersSent) this.#res.writeHead(200, assign({ "content-type": this.#type }, header));
        if (!this.#res.write(frame(toBinary(schema, step.value)))) await this.#drained();
      }
    } catch (err) {
      finished = true;
      throw err;
    } finally {
      // A client gone mid-stream: end the source so its upstream call and span close now.
      if (!finished) await it.return?.();
    }
    if (this.#closed) return;
    if (!this.#res.headersSent) this.#res.writeHead(200, assign({ "content-type": this.#type }, header));
    this.#res.addTrailers(okTrailers(trailer));
    this.#ended = true;
    this.#res.end();
  }

  /** Ends the call with the error's status (headers first when none were sent yet). */
  sendError(err: unknown): void {
    if (this.#closed || this.#ended) return;
    if (!this.#res.headersSent) this.#res.writeHead(200, { "content-type": this.#type });
    this.#res.addTrailers(errorTrailers(err, this.#trailer));
    this.#ended = true;
    this.#res.end();
  }

  /** Resets the stream (RST_STREAM INTERNAL_ERROR) when no status can be sent. */
  reset(): void {
    this.#ended = true;
    if (!this.#res.stream.destroyed) this.#res.stream.close(constants.NGHTTP2_INTERNAL_ERROR);
  }

  /** Clears the deadline timer. */
  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }

  #drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.#res.off("drain", done);
        this.#res.off("close", done);
        resolve();
      };
      this.#res.once("drain", done);
      this.#res.once("close", done);
    });
  }
}

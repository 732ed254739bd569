/** One call on the gRPC fast path: its cancellation and deadline, and writing messages, headers and the status trailers. */
import type { DescMessage, Message } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { constants } from "node:http2";
import type { Http2ServerResponse } from "node:http2";
import { CallControl, drained } from "./call-control.js";
import { frame } from "./grpc-envelope.js";
import { serializeMessage } from "./codec.js";
import { specEncode } from "../grpc-message.js";

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

/** A call's state on the gRPC fast path (cancellation and deadline: CallControl). */
export class GrpcCall extends CallControl {
  readonly #res: Http2ServerResponse;
  readonly #type: string;
  /** The trailer a handler or interceptor set, for error trailers. */
  #trailer: Headers | undefined;

  constructor(res: Http2ServerResponse, contentType: string) {
    super(res);
    this.#res = res;
    this.#type = contentType;
  }

  /** Sends a unary answer: headers, one message, status 0. */
  sendUnary(bytes: Uint8Array, header: Headers, trailer: Headers): void {
    if (this.closed) return;
    this.#trailer = trailer;
    this.#res.writeHead(200, assign({ "content-type": this.#type }, header));
    this.#res.addTrailers(okTrailers(trailer));
    this.end();
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
        if (this.closed) return;
        if (!this.#res.headersSent) this.#res.writeHead(200, assign({ "content-type": this.#type }, header));
        if (!this.#res.write(frame(serializeMessage(schema, step.value, true)))) await drained(this.#res);
      }
    } catch (err) {
      finished = true;
      throw err;
    } finally {
      // A client gone mid-stream: end the source so its upstream call and span close now.
      if (!finished) await it.return?.();
    }
    if (this.closed) return;
    if (!this.#res.headersSent) this.#res.writeHead(200, assign({ "content-type": this.#type }, header));
    this.#res.addTrailers(okTrailers(trailer));
    this.end();
    this.#res.end();
  }

  /** Ends the call with the error's status (headers first when none were sent yet). */
  sendError(err: unknown): void {
    if (this.closed || this.ended) return;
    if (!this.#res.headersSent) this.#res.writeHead(200, { "content-type": this.#type });
    this.#res.addTrailers(errorTrailers(err, this.#trailer));
    this.end();
    this.#res.end();
  }

  /** Resets the stream (RST_STREAM INTERNAL_ERROR) when no status can be sent. */
  reset(): void {
    this.end();
    if (!this.#res.stream.destroyed) this.#res.stream.close(constants.NGHTTP2_INTERNAL_ERROR);
  }
}

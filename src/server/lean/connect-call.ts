/** One call on the Connect unary fast path: the request body and the answer (cancellation and deadline: CallControl). */
import { Code, ConnectError } from "@connectrpc/connect";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { promisify } from "node:util";
import { brotliCompress, gzip } from "node:zlib";
import { CallControl, readWhole } from "./call-control.js";

/** Bodies smaller than this are sent uncompressed (connect-node's compressMinBytes default). */
const COMPRESS_MIN_BYTES = 1024;
const compressors = { gzip: promisify(gzip), br: promisify(brotliCompress) } as const;

/** The error for a body over the limit, in connect-node's words (with the size when content-length declared it). */
function tooLarge(maxBytes: number, declared?: number): ConnectError {
  const size = declared === undefined ? "" : ` ${declared}`;
  return new ConnectError(`message size${size} is larger than configured readMaxBytes ${maxBytes}`, Code.ResourceExhausted);
}

/** A call's state on the Connect fast path. */
export class ConnectCall extends CallControl {
  readonly #req: IncomingMessage | Http2ServerRequest;
  readonly #res: ServerResponse | Http2ServerResponse;
  readonly #compression: "gzip" | "br" | undefined;

  constructor(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse, compression: "gzip" | "br" | undefined) {
    super(res);
    this.#req = req;
    this.#res = res;
    this.#compression = compression;
  }

  /** Reads the whole body, failing early (RESOURCE_EXHAUSTED, as connect-node) when it is over `maxBytes`. */
  readBody(maxBytes: number): Promise<Uint8Array> {
    const declared = Number(this.#req.headers["content-length"] ?? Number.NaN);
    if (declared > maxBytes) return Promise.reject(tooLarge(maxBytes, declared));
    return readWhole(this.#req, (size) => (size > maxBytes ? tooLarge(maxBytes) : undefined));
  }

  /** Sends the answer (compressed when the client takes it and it is large enough). */
  async send(status: number, header: Headers, body: Uint8Array): Promise<void> {
    let bytes = body;
    if (this.#compression !== undefined && body.byteLength >= COMPRESS_MIN_BYTES) {
      bytes = await compressors[this.#compression](body);
      header.set("content-encoding", this.#compression);
    }
    if (this.closed || this.ended) return;
    const out: Record<string, string> = {};
    header.forEach((value, key) => {
      out[key] = value;
    });
    out["content-length"] = String(bytes.byteLength);
    this.end();
    this.#res.writeHead(status, out);
    this.#res.end(bytes);
  }

  /** Drops the stream (HTTP/2) or the connection (HTTP/1.1) when no answer can be written. */
  reset(): void {
    this.end();
    const res = this.#res;
    if ("stream" in res) res.stream.close();
    else res.destroy();
  }
}

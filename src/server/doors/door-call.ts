/**
 * One call on an HTTP door: its scope (cancellation and deadline, as on the lean paths), the JSON body read within
 * the size bound, the service methods called through the same interceptors as gRPC (tracing, auth), and the answer
 * written as one JSON body or as server-sent events with backpressure.
 */
import { isMessage } from "@bufbuild/protobuf";
import type { DescMessage, Message, MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { HandlerContext, Interceptor, StreamResponse } from "@connectrpc/connect";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { CallControl, drained, readWhole } from "../lean/call-control.js";
import { applyInterceptors, first, handlerContext, invokeUnary, merged, normalize, requestBase } from "../lean/fast-path-common.js";
import type { AnyFn, Served } from "../lean/fast-path-common.js";
import { DoorFault, badRequest } from "./door-fault.js";
import { doorRouteKey } from "../../service/trace-key.js";

/** What a door calls: the service's methods by local name ("complete", "streamComplete", ...), and the bounds. */
export interface DoorTarget {
  readonly routes: ReadonlyMap<string, Served>;
  readonly interceptors: readonly Interceptor[];
  readonly maxRequestBytes: number;
}

/** How a door presents the client's key to the auth interceptor. */
export interface DoorCallOptions {
  /** A header that carries the bare key (Anthropic's `x-api-key`), used when `authorization` is absent. */
  readonly keyHeader?: string;
}

/** What a door writes to: the part of Node's HTTP/1.1 and HTTP/2 responses it uses. */
interface Sink {
  readonly headersSent: boolean;
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: string): boolean;
  end(chunk: string): unknown;
  once(event: "drain" | "close", listener: () => void): unknown;
  off(event: "drain" | "close", listener: () => void): unknown;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** A call on a door. */
export class DoorCall extends CallControl {
  readonly req: IncomingMessage | Http2ServerRequest;
  readonly #res: Sink;
  readonly #target: DoorTarget;
  readonly #options: DoorCallOptions;
  /** The door route, as the span names it (`POST /v1/chat/completions`). */
  readonly #doorRoute: string;
  /** The request id the door gave the call (the client's `x-request-id`, else a new one), for answers and errors. */
  requestId = "";
  /** When the door took the request (performance.now()), for the gateway's own overhead. */
  readonly startedAt = performance.now();

  constructor(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse, target: DoorTarget, options: DoorCallOptions = {}, route = "") {
    super(res);
    this.#doorRoute = route;
    this.req = req;
    this.#res = res;
    this.#target = target;
    this.#options = options;
    // The SDKs send their own timeout (seconds): past it the client has given up, so the upstream call stops too.
    const timeoutS = Number(first(req.headers["x-stainless-timeout"]) ?? Number.NaN);
    if (timeoutS > 0 && Number.isFinite(timeoutS)) this.arm(Math.ceil(timeoutS * 1000));
  }

  /** The first value of a request header, or null. */
  header(name: string): string | null {
    return first(this.req.headers[name]);
  }

  /** Reads and parses the JSON body: 413 over the size bound, 400 for bytes that are not UTF-8 JSON. */
  async json(): Promise<unknown> {
    const max = this.#target.maxRequestBytes;
    const declared = Number(this.req.headers["content-length"] ?? Number.NaN);
    const tooLarge = (): DoorFault => new DoorFault(413, Code.ResourceExhausted, `request body is larger than the limit of ${max} bytes`);
    if (declared > max) throw tooLarge();
    const bytes = await readWhole(this.req, (size) => (size > max ? new ConnectError("too large", Code.ResourceExhausted) : undefined)).catch((err: unknown) => {
      throw err instanceof ConnectError && err.code === Code.ResourceExhausted ? tooLarge() : err;
    });
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      throw badRequest(null, "the request body is not valid UTF-8");
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw badRequest(null, `the request body is not valid JSON (${err instanceof Error ? err.message : "parse error"})`);
    }
  }

  /** Calls a unary service method through the interceptors; resolves with its answer, or rejects with its error. */
  async unary<D extends DescMessage>(method: string, input: Message, output: D): Promise<MessageShape<D>> {
    const route = this.#route(method);
    if (route.kind !== "unary") throw new ConnectError(`${method} is not unary`, Code.Internal);
    const out = await invokeUnary(route, this.#context(route), input, this.#target.interceptors);
    if (!isMessage(out.message, output)) throw new ConnectError(`${method} answered another message type`, Code.Internal);
    return out.message;
  }

  /** Calls a server-streaming method through the interceptors; the iterator yields its messages, or throws its error. */
  async stream<D extends DescMessage>(method: string, input: Message, output: D): Promise<AsyncIterator<MessageShape<D>>> {
    const route = this.#route(method);
    if (route.kind !== "server_streaming") throw new ConnectError(`${method} is not server-streaming`, Code.Internal);
    const ctx = this.#context(route);
    const request = Object.assign(requestBase(ctx), { stream: true as const, method: route.method, message: one(input) });
    const inner: AnyFn = async (req) => {
      if (!req.stream) throw new ConnectError("interceptor turned a stream into a unary request", Code.Internal);
      const res: StreamResponse = { stream: true, service: route.method.parent, method: route.method, header: ctx.responseHeader, trailer: ctx.responseTrailer, message: normalized(route, input, merged(ctx, req, request)) };
      return res;
    };
    const out = await applyInterceptors(inner, this.#target.interceptors)(request);
    if (!out.stream) throw new ConnectError("interceptor returned a unary response for a streaming method", Code.Internal);
    return typed(out.message, output)[Symbol.asyncIterator]();
  }

  /** Sends a whole answer. */
  send(status: number, headers: Record<string, string>, body: string): void {
    if (this.closed || this.ended) return;
    this.end();
    this.#res.writeHead(status, { ...headers, "content-length": String(Buffer.byteLength(body)) });
    this.#res.end(body);
  }

  /** Starts a server-sent event stream (status 200). */
  beginEvents(headers: Record<string, string>): void {
    if (this.closed || this.#res.headersSent) return;
    this.#res.writeHead(200, { ...headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
  }

  /** True once the answer's status line is out (a later failure must be told inside the stream). */
  get started(): boolean {
    return this.#res.headersSent;
  }

  /** Writes event text; resolves once the client can take more (or went away). */
  write(text: string): Promise<void> {
    if (this.closed || this.ended) return Promise.resolve();
    return this.#res.write(text) ? Promise.resolve() : drained(this.#res);
  }

  /** Ends the event stream. */
  finish(): void {
    if (this.closed || this.ended) return;
    this.end();
    this.#res.end("");
  }

  #route(method: string): Served {
    const served = this.#target.routes.get(method);
    if (!served) throw new ConnectError(`the gateway has no method ${method}`, Code.Unimplemented);
    return served;
  }

  #context(route: Served): HandlerContext {
    const ctx = handlerContext(route, this.req, this, "http");
    ctx.values.set(doorRouteKey, this.#doorRoute);
    const keyHeader = this.#options.keyHeader;
    if (keyHeader !== undefined && !ctx.requestHeader.has("authorization")) {
      const key = ctx.requestHeader.get(keyHeader);
      if (key !== null) ctx.requestHeader.set("authorization", `Bearer ${key}`);
    }
    return ctx;
  }
}

async function* one(message: Message): AsyncGenerator<Message> {
  yield message;
}

/** Runs a server-streaming implementation on its one input, normalizing what it yields. */
async function* normalized(route: Extract<Served, { kind: "server_streaming" }>, input: Message, ctx: HandlerContext): AsyncGenerator<Message> {
  for await (const value of route.impl(input, ctx)) yield normalize(route.method.output, value);
}

/** Narrows the messages of a stream to their schema's type. */
async function* typed<D extends DescMessage>(source: AsyncIterable<Message>, schema: D): AsyncGenerator<MessageShape<D>> {
  for await (const m of source) {
    if (!isMessage(m, schema)) throw new ConnectError("a stream answered another message type", Code.Internal);
    yield m;
  }
}

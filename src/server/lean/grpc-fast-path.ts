/**
 * A lean gRPC path on node:http2 for one service's unary and server-streaming methods. It serves plain
 * `application/grpc` (and `+proto`) calls with identity encoding over HTTP/2 and runs the same interceptors
 * (tracing, auth) and handlers as connect-node; every other request (Connect, gRPC-Web, compressed gRPC,
 * health, reflection) is left to connect-node. connect-node's generic async-iterable pipeline costs several
 * times what the gateway itself spends per call (see bench/RESULTS.md).
 */
import type { DescMessage, DescService, Message, MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createServiceImplSpec } from "@connectrpc/connect";
import type { HandlerContext, Interceptor, StreamResponse } from "@connectrpc/connect";
import { parseTimeout } from "@connectrpc/connect/protocol-grpc";
import { Http2ServerRequest } from "node:http2";
import type { Http2ServerResponse } from "node:http2";
import { applyInterceptors, first, handlerContext, invokeUnary, merged, normalize, requestBase } from "./fast-path-common.js";
import type { AnyFn, FastPath, FastPathOptions, Served } from "./fast-path-common.js";
import { GrpcCall } from "./grpc-call.js";
import { readBody, singleMessage } from "./grpc-envelope.js";
import { parseMessage, serializeMessage } from "./codec.js";

const CONTENT_TYPES = new Set(["application/grpc", "application/grpc+proto"]);

/** Builds the fast path for a service; it declines anything it does not serve. */
export function createGrpcFastPath<S extends DescService>(options: FastPathOptions<S>): FastPath {
  const spec = createServiceImplSpec<S>(options.service, options.impl);
  const limits: Limits = { interceptors: options.interceptors, maxRequestBytes: options.maxRequestBytes };
  const routes = new Map<string, Served>();
  for (const m of Object.values(spec.methods)) {
    if (m.kind === "unary" || m.kind === "server_streaming") routes.set(`/${options.service.typeName}/${m.method.name}`, m);
  }
  return (req, res) => {
    if (!(req instanceof Http2ServerRequest) || req.method !== "POST") return false;
    const route = routes.get(req.url);
    if (route === undefined) return false;
    const type = req.headers["content-type"];
    if (type === undefined || !CONTENT_TYPES.has(type.toLowerCase())) return false;
    const encoding = req.headers["grpc-encoding"];
    if (encoding !== undefined && encoding !== "identity") return false;
    void serve(route, req, res as Http2ServerResponse, type, limits);
    return true;
  };
}

interface Limits {
  readonly interceptors: readonly Interceptor[];
  readonly maxRequestBytes: number;
}

async function serve(route: Served, req: Http2ServerRequest, res: Http2ServerResponse, type: string, options: Limits): Promise<void> {
  const call = new GrpcCall(res, type);
  const kind = route.kind === "unary" ? "unary" : "server-streaming";
  try {
    const timeout = parseTimeout(first(req.headers["grpc-timeout"]), Number.MAX_SAFE_INTEGER);
    if (timeout.error) throw timeout.error;
    call.arm(timeout.timeoutMs);
    const bytes = singleMessage(await readBody(req, options.maxRequestBytes, kind), options.maxRequestBytes, kind);
    const input = parseMessage(route.method.input, bytes, true);
    const ctx = handlerContext(route, req, call, "grpc");
    if (route.kind === "unary") {
      const out = await invokeUnary(route, ctx, input, options.interceptors);
      call.sendUnary(serializeMessage(route.method.output, out.message, true), out.header, out.trailer);
    } else {
      const request = Object.assign(requestBase(ctx), { stream: true as const, method: route.method, message: one(input) });
      const next = applyInterceptors(streamFn(route, ctx, request), options.interceptors);
      const out = await next(request);
      if (!out.stream) throw new ConnectError("interceptor returned a unary response for a streaming method", Code.Internal);
      await call.sendStream(out.message, route.method.output, out.header, out.trailer);
    }
  } catch (err) {
    try {
      call.sendError(err);
    } catch {
      // Trailers that cannot be written (a header value Node refuses): reset the stream rather than crash.
      call.reset();
    }
  } finally {
    call.dispose();
  }
}

function streamFn(route: Extract<Served, { kind: "server_streaming" }>, ctx: HandlerContext, sent: object): AnyFn {
  return async (req) => {
    if (!req.stream) throw new ConnectError("interceptor turned a stream into a unary request", Code.Internal);
    let input: Message | undefined;
    for await (const m of req.message) {
      if (input !== undefined) throw new ConnectError("protocol error: received extra input message for server-streaming method", Code.Unimplemented);
      input = m;
    }
    if (input === undefined) throw new ConnectError("protocol error: missing input message for server-streaming method", Code.Unimplemented);
    const output = route.impl(input, merged(ctx, req, sent));
    const res: StreamResponse = { stream: true, service: route.method.parent, method: route.method, header: ctx.responseHeader, trailer: ctx.responseTrailer, message: normalized(route.method.output, output) };
    return res;
  };
}

async function* normalized(schema: DescMessage, source: AsyncIterable<MessageInitShape<DescMessage>>): AsyncGenerator<Message> {
  for await (const value of source) yield normalize(schema, value);
}

async function* one(message: Message): AsyncGenerator<Message> {
  yield message;
}

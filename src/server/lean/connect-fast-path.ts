/**
 * A lean Connect path for one service's unary methods, over HTTP/1.1 and HTTP/2: POST with
 * `application/json` or `application/proto`, an uncompressed body, and the same interceptors and handlers
 * as connect-node, whose error JSON and status mapping it uses (and whose serialization the lean codec
 * follows) so that clients read the same bytes. Everything else (GET, compressed requests, streams, gRPC-Web) is left to connect-node, whose
 * generic pipeline costs about 200 µs of CPU per call here.
 */
import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createServiceImplSpec } from "@connectrpc/connect";
import type { Interceptor } from "@connectrpc/connect";
import { codeToHttpStatus, errorToJsonBytes, parseContentType, parseTimeout, trailerMux } from "@connectrpc/connect/protocol-connect";
import type { IncomingMessage } from "node:http";
import type { Http2ServerRequest } from "node:http2";
import { parseMessage, serializeMessage } from "./codec.js";
import { ConnectCall } from "./connect-call.js";
import { first, handlerContext, invokeUnary } from "./fast-path-common.js";
import type { FastPath, FastPathOptions, Served } from "./fast-path-common.js";

type Unary = Extract<Served, { kind: "unary" }>;

/** Builds the Connect unary fast path for a service; it declines anything it does not serve. */
export function createConnectFastPath<S extends DescService>(options: FastPathOptions<S>): FastPath {
  const spec = createServiceImplSpec<S>(options.service, options.impl);
  const routes = new Map<string, Unary>();
  for (const m of Object.values(spec.methods)) if (m.kind === "unary") routes.set(`/${options.service.typeName}/${m.method.name}`, m);
  return (req, res) => {
    if (req.method !== "POST") return false;
    const route = routes.get(req.url ?? "");
    if (route === undefined) return false;
    const type = parseContentType(first(req.headers["content-type"]));
    if (type === undefined || type.stream) return false;
    const h = req.headers;
    const encoding = first(h["content-encoding"]);
    if (encoding !== null && encoding !== "identity") return false;
    const version = first(h["connect-protocol-version"]);
    if (version !== null && version !== "1") return false;
    void serve(route, req, new ConnectCall(req, res, acceptsCompression(first(h["accept-encoding"]))), type.binary, options.interceptors, options.maxRequestBytes);
    return true;
  };
}

/** The response compression connect-node would pick: the first name of the client's list it supports (gzip, br). */
function acceptsCompression(accept: string | null): "gzip" | "br" | undefined {
  if (accept === null) return undefined;
  for (const name of accept.split(",")) {
    const n = name.trim();
    if (n === "gzip" || n === "br") return n;
  }
  return undefined;
}

async function serve(route: Unary, req: IncomingMessage | Http2ServerRequest, call: ConnectCall, binary: boolean, interceptors: readonly Interceptor[], maxBytes: number): Promise<void> {
  const ctx = handlerContext(route, req, call, "connect");
  try {
    const timeout = parseTimeout(first(req.headers["connect-timeout-ms"]), Number.MAX_SAFE_INTEGER);
    if (timeout.error) throw timeout.error;
    call.arm(timeout.timeoutMs);
    const input = parseMessage(route.method.input, await call.readBody(maxBytes), binary);
    const out = await invokeUnary(route, ctx, input, interceptors);
    const header = trailerMux(out.header, out.trailer);
    header.set("content-type", binary ? "application/proto" : "application/json");
    await call.send(200, header, serializeMessage(route.method.output, out.message, binary));
  } catch (err) {
    const error = err instanceof ConnectError ? err : new ConnectError("internal error", Code.Internal, undefined, undefined, err);
    const header = trailerMux(ctx.responseHeader, ctx.responseTrailer);
    header.set("content-type", "application/json");
    error.metadata.forEach((value, key) => header.set(key, value));
    await call.send(codeToHttpStatus(error.code), header, errorToJsonBytes(error, undefined)).catch(() => call.reset());
  } finally {
    call.dispose();
  }
}

/** What the lean gRPC and Connect paths share: routes, the handler context, interceptors and the unary call. */
import { create, isMessage } from "@bufbuild/protobuf";
import type { DescMessage, DescService, Message, MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextValues } from "@connectrpc/connect";
import type { HandlerContext, Interceptor, MethodImplSpec, ServiceImpl, UnaryResponse } from "@connectrpc/connect";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { callScopeKey } from "../../service/edge.js";
import type { CallControl } from "./call-control.js";

/** A request handler that serves a request (true) or declines it (false) for the next handler. */
export type FastPath = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => boolean;

/** An interceptor's `next`: what the interceptor chain wraps. */
export type AnyFn = Parameters<Interceptor>[0];

/** The methods a fast path may serve. */
export type Served = Extract<MethodImplSpec, { kind: "unary" | "server_streaming" }>;

/** What a fast path serves. */
export interface FastPathOptions<S extends DescService> {
  readonly service: S;
  /** The implementation (the same object connect-node mounts). */
  readonly impl: Partial<ServiceImpl<S>>;
  /** The interceptors connect-node runs, outermost first. */
  readonly interceptors: readonly Interceptor[];
  /** Largest request message, bytes. */
  readonly maxRequestBytes: number;
}

/** The first value of a request header, or null. */
export function first(value: string | string[] | undefined): string | null {
  return value === undefined ? null : Array.isArray(value) ? (value[0] ?? null) : value;
}

/** The request headers as a Headers (pseudo-headers left out, as connect-node does). */
function requestHeaders(req: IncomingMessage | Http2ServerRequest): Headers {
  const out = new Headers();
  const raw = req.headers;
  for (const key in raw) {
    if (key.charCodeAt(0) === 58) continue; // ':'
    const value = raw[key];
    if (typeof value === "string") out.append(key, value);
    else if (Array.isArray(value)) for (const v of value) out.append(key, v);
  }
  return out;
}

function requestUrl(req: IncomingMessage | Http2ServerRequest): string {
  if ("scheme" in req) return `${req.scheme}://${req.authority}${req.url}`;
  const tls = "encrypted" in req.socket && req.socket.encrypted === true;
  return `${tls ? "https" : "http"}://${req.headers.host ?? "localhost"}${req.url ?? "/"}`;
}

const noTimeout = (): undefined => undefined;

/**
 * The handler context of a lean-path call, as connect-node would build it; its signal (the call scope's) is made
 * when first read, and the call's scope is in its values (callScopeKey) for the service.
 */
export function handlerContext(route: Served, req: IncomingMessage | Http2ServerRequest, call: CallControl, protocolName: "grpc" | "connect" | "http"): HandlerContext {
  const deadline = call.deadline;
  const values = createContextValues();
  values.set(callScopeKey, call.scope);
  return {
    method: route.method,
    service: route.method.parent,
    get signal() {
      return call.scope.signal;
    },
    timeoutMs: deadline === undefined ? noTimeout : () => deadline - Date.now(),
    requestMethod: "POST",
    requestHeader: requestHeaders(req),
    responseHeader: new Headers(),
    responseTrailer: new Headers(),
    protocolName,
    values,
    url: requestUrl(req),
  };
}

/** The fields of a request the fast path made, taken from the handler context (the signal when first read). */
export function requestBase(ctx: HandlerContext): { readonly service: DescService; readonly requestMethod: string; readonly url: string; readonly signal: AbortSignal; readonly header: Headers; readonly contextValues: HandlerContext["values"] } {
  return {
    service: ctx.service,
    requestMethod: "POST",
    url: ctx.url,
    get signal() {
      return ctx.signal;
    },
    header: ctx.requestHeader,
    contextValues: ctx.values,
  };
}

/**
 * The handler context as an interceptor left it (connect-node merges the same three fields): `ctx` itself
 * when the request is the one the fast path made (`sent`), unchanged.
 */
export function merged(ctx: HandlerContext, req: Parameters<AnyFn>[0], sent?: object): HandlerContext {
  if (req === sent) return ctx;
  if (req.signal === ctx.signal && req.header === ctx.requestHeader && req.contextValues === ctx.values) return ctx;
  // An interceptor that put in a signal of its own: handlers must follow it, not the call's scope.
  if (req.signal !== ctx.signal) req.contextValues.delete(callScopeKey);
  return { ...ctx, signal: req.signal, requestHeader: req.header, values: req.contextValues };
}

/** A handler's answer as a message of the schema (handlers may return init shapes). */
export function normalize(schema: DescMessage, value: MessageInitShape<DescMessage>): Message {
  return isMessage(value, schema) ? value : create(schema, value);
}

/** The innermost `next` of a unary method: calls the implementation. */
export function unaryFn(route: Extract<Served, { kind: "unary" }>, ctx: HandlerContext, sent?: object): AnyFn {
  return async (req) => {
    if (req.stream) throw new ConnectError("interceptor turned a unary request into a stream", Code.Internal);
    const message = normalize(route.method.output, await route.impl(req.message, merged(ctx, req, sent)));
    const res: UnaryResponse = { stream: false, service: route.method.parent, method: route.method, header: ctx.responseHeader, trailer: ctx.responseTrailer, message };
    return res;
  };
}

/** Wraps `next` in the interceptors, the first outermost (as connect-node does). */
export function applyInterceptors(next: AnyFn, interceptors: readonly Interceptor[]): AnyFn {
  let fn = next;
  for (let i = interceptors.length - 1; i >= 0; i--) {
    const interceptor = interceptors[i];
    if (interceptor) fn = interceptor(fn);
  }
  return fn;
}

/** Runs a unary call through the interceptors and the implementation; resolves with the response. */
export async function invokeUnary(route: Extract<Served, { kind: "unary" }>, ctx: HandlerContext, input: Message, interceptors: readonly Interceptor[]): Promise<UnaryResponse> {
  const request = Object.assign(requestBase(ctx), { stream: false as const, method: route.method, message: input });
  const next = applyInterceptors(unaryFn(route, ctx, request), interceptors);
  const out = await next(request);
  if (out.stream) throw new ConnectError("interceptor returned a stream for a unary method", Code.Internal);
  return out;
}

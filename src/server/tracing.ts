/**
 * A Connect interceptor that opens a SERVER span per GatewayService RPC, continuing the caller's traceparent.
 * The span's context reaches the handlers as a context value (traceContextKey), not through AsyncLocalStorage:
 * on Node 20 its promise hooks cost every await of every request, sampled or not.
 */
import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Span, TextMapGetter } from "@opentelemetry/api";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Interceptor } from "@connectrpc/connect";
import { GENERAL } from "../telemetry/attributes.js";
import { doorRouteKey, traceContextKey } from "../service/trace-key.js";

const getter: TextMapGetter<Headers> = {
  keys: (h) => [...h.keys()],
  get: (h, key) => h.get(key) ?? undefined,
};

/** Traces the RPCs of the named services (health and reflection stay untraced: they carry no work). */
export function tracingInterceptor(services: readonly string[]): Interceptor {
  const tracer = trace.getTracer("llm-gateway");
  const traced = new Set(services);
  // The headers the propagator reads (traceparent, tracestate, baggage, or b3's): without any, there is nothing to extract.
  let fields: readonly string[] | undefined;
  return (next) => async (req) => {
    if (!traced.has(req.service.typeName)) return next(req);
    fields ??= propagation.fields();
    const parent = fields.some((f) => req.header.has(f)) ? propagation.extract(ROOT_CONTEXT, req.header, getter) : ROOT_CONTEXT;
    const span = tracer.startSpan(
      `${req.service.typeName}/${req.method.name}`,
      { kind: SpanKind.SERVER, attributes: { [GENERAL.rpcSystem]: "grpc", [GENERAL.rpcService]: req.service.typeName, [GENERAL.rpcMethod]: req.method.name } },
      parent,
    );
    const door = req.contextValues.get(doorRouteKey);
    if (door !== undefined) span.setAttribute(GENERAL.httpRoute, door);
    req.contextValues.set(traceContextKey, trace.setSpan(parent, span));
    try {
      const res = await next(req);
      if (!res.stream) {
        end(span, undefined);
        return res;
      }
      return { ...res, message: endWhenDone(res.message, span) };
    } catch (err) {
      end(span, err);
      throw err;
    }
  };
}

/** Passes a streamed response through and ends the span when it ends. */
async function* endWhenDone<T>(source: AsyncIterable<T>, span: Span): AsyncGenerator<T> {
  let error: unknown;
  try {
    yield* source;
  } catch (err) {
    error = err;
    throw err;
  } finally {
    end(span, error);
  }
}

function end(span: Span, err: unknown): void {
  if (err !== undefined) {
    const e = ConnectError.from(err);
    span.setAttribute(GENERAL.rpcGrpcStatusCode, e.code);
    span.setAttribute(GENERAL.errorType, Code[e.code]);
    span.setStatus({ code: SpanStatusCode.ERROR, message: e.rawMessage });
  } else {
    span.setAttribute(GENERAL.rpcGrpcStatusCode, 0);
  }
  span.end();
}

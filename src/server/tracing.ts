/** A Connect interceptor that opens a SERVER span per GatewayService RPC, continuing the caller's traceparent. */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Context, Span, TextMapGetter } from "@opentelemetry/api";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Interceptor } from "@connectrpc/connect";
import { GENERAL } from "../telemetry/attributes.js";

const getter: TextMapGetter<Headers> = {
  keys: (h) => [...h.keys()],
  get: (h, key) => h.get(key) ?? undefined,
};

/** Traces the RPCs of the named services (health and reflection stay untraced: they carry no work). */
export function tracingInterceptor(services: readonly string[]): Interceptor {
  const tracer = trace.getTracer("llm-gateway");
  const traced = new Set(services);
  return (next) => async (req) => {
    if (!traced.has(req.service.typeName)) return next(req);
    const parent = propagation.extract(ROOT_CONTEXT, req.header, getter);
    const span = tracer.startSpan(
      `${req.service.typeName}/${req.method.name}`,
      { kind: SpanKind.SERVER, attributes: { [GENERAL.rpcSystem]: "grpc", [GENERAL.rpcService]: req.service.typeName, [GENERAL.rpcMethod]: req.method.name } },
      parent,
    );
    const ctx = trace.setSpan(parent, span);
    try {
      const res = await context.with(ctx, () => next(req));
      if (!res.stream) {
        end(span, undefined);
        return res;
      }
      return { ...res, message: withContext(res.message, ctx, span) };
    } catch (err) {
      end(span, err);
      throw err;
    }
  };
}

/** Re-enters the span's context on every step of a streamed response (the generator runs outside it). */
async function* withContext<T>(source: AsyncIterable<T>, ctx: Context, span: Span): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let error: unknown;
  try {
    for (;;) {
      const step = await context.with(ctx, () => it.next());
      if (step.done) return;
      yield step.value;
    }
  } catch (err) {
    error = err;
    throw err;
  } finally {
    if (error === undefined) await context.with(ctx, () => it.return?.());
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

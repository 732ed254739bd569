/** The observer that turns gateway lifecycle events into spans, span events and metrics. */
import type { SpanContext } from "@opentelemetry/api";
import type { GatewayConfig } from "../../config/schema.js";
import { asTraceContext } from "../../telemetry/gateway-telemetry.js";
import type { GatewayTelemetry } from "../../telemetry/gateway-telemetry.js";
import type { GatewayObserver } from "../observer.js";
import type { AttemptRecord, GatewayRequest } from "../types.js";

const NO_LINKS: readonly SpanContext[] = [];

/**
 * Builds the tracing observer; prompts and answers go into spans only when `captureContent` is on. `config` is the
 * snapshot (or a getter of the current one, for a gateway whose config reloads) that names each provider's kind.
 */
export function telemetryObserver(telemetry: GatewayTelemetry, config: GatewayConfig | (() => GatewayConfig)): GatewayObserver {
  const current = typeof config === "function" ? config : (): GatewayConfig => config;
  const previous = new WeakMap<GatewayRequest, SpanContext[]>();
  return {
    planned: (trace, candidates, tooSmall) => telemetry.planned(asTraceContext(trace), candidates, tooSmall),
    attemptStarted(info) {
      const links = previous.get(info.request) ?? NO_LINKS;
      const t = telemetry.attemptStarted(info, current().providers.get(info.model.provider)?.kind ?? "unknown", links);
      // Later attempts link to this one; only a recording span is worth linking to.
      if (t.span.isRecording()) previous.set(info.request, [...links, t.span.spanContext()]);
      return (record, close) => telemetry.attemptEnded(t, record, close);
    },
    failover: (trace, from, to, reason) => telemetry.failover(asTraceContext(trace), from, to, reason),
    retry: (trace, model, reason) => telemetry.retry(asTraceContext(trace), model, reason),
    hedgeStarted: (trace, from, to, delayMs) => telemetry.hedgeStarted(asTraceContext(trace), from, to, delayMs),
    requestEnded(end) {
      for (const a of end.attempts) if (a.hedge) telemetry.hedgeResult(a.outcome === "succeeded", a.model);
      telemetry.requestEnded(end.outcome, end.totalMs, providerTimeMs(end.attempts));
    },
  };
}

/** Time during which at least one attempt was running (the union of attempt intervals), ms. */
export function providerTimeMs(attempts: readonly AttemptRecord[]): number {
  const spans = attempts.map((a) => [a.startedAt, a.startedAt + a.latencyMs] as const).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -Infinity;
  for (const [s, e] of spans) {
    if (e <= end) continue;
    total += e - Math.max(s, end);
    end = e;
  }
  return total;
}

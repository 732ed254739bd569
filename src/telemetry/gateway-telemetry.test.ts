/** The gateway's metrics as a collector reads them: request and cost totals, attempt durations and tokens. */
import { ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { DataPoint, Histogram, MetricData } from "@opentelemetry/sdk-metrics";
import { describe, expect, it } from "vitest";
import { GATEWAY, GEN_AI, METRICS } from "./attributes.js";
import { GatewayTelemetry } from "./gateway-telemetry.js";
import type { AttemptCloseFacts, AttemptEndFacts, AttemptStartFacts } from "./attempt-facts.js";

/** A reader collected by hand. */
class HandReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const start = (model: string): AttemptStartFacts => ({
  request: { requestId: "r", chat: { messages: [], params: {} } }, trace: undefined, number: 1,
  model: { name: model, provider: "p", upstreamModel: `${model}-up` }, providerHost: "127.0.0.1",
  route: undefined, strategy: undefined, hedge: false, failover: false, retry: false, streamed: false, breakerState: "closed",
});

const end = (costPicos: bigint, usageBasis: AttemptEndFacts["usageBasis"] = "reported"): AttemptEndFacts => ({
  outcome: "succeeded", errorKind: undefined, usage: { inputTokens: 10, outputTokens: 4 }, usageUnknown: false, usageBasis,
  costPicos, ttftMs: undefined, latencyMs: 20,
});

const CLOSE: AttemptCloseFacts = { finishReason: "stop", responseModel: undefined };

/** Starts and ends one attempt of `model` (an OpenAI-format deployment). */
function attempt(telemetry: GatewayTelemetry, model: string, costPicos: bigint): void {
  telemetry.attemptEnded(telemetry.attemptStarted(start(model), "openai", []), end(costPicos), CLOSE);
}

async function collect(reader: HandReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics } = await reader.collect();
  return new Map(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m]));
}

const points = (m: MetricData | undefined): DataPoint<unknown>[] => (m?.dataPoints ?? []) as DataPoint<unknown>[];
const by = (m: MetricData | undefined, key: string): Record<string, unknown> => Object.fromEntries(points(m).map((p) => [String(p.attributes[key]), p.value]));

describe("GatewayTelemetry metrics", () => {
  it("counts requests per outcome and cost per model as running totals, and records every attempt", async () => {
    const reader = new HandReader();
    const provider = new MeterProvider({ readers: [reader] });
    const telemetry = new GatewayTelemetry({ captureContent: false, meter: provider.getMeter("test") });
    for (const [model, picos] of [["a", 2_500_000n], ["a", 1_500_000n], ["b", 0n]] as const) attempt(telemetry, model, picos);
    telemetry.requestEnded("ok", 30, 20);
    telemetry.requestEnded("ok", 30, 20);
    telemetry.requestEnded("unavailable", 5, 0);

    let metrics = await collect(reader);
    expect(by(metrics.get(METRICS.requests), GATEWAY.outcome)).toEqual({ ok: 2, unavailable: 1 });
    // Model b cost nothing: no series for it.
    const cost = by(metrics.get(METRICS.cost), GATEWAY.model);
    expect(Object.keys(cost)).toEqual(["a"]);
    expect(cost["a"]).toBeCloseTo(4e-6, 15);
    const durations = points(metrics.get(METRICS.operationDuration)).map((p) => [p.attributes[GATEWAY.model], (p.value as Histogram).count]);
    expect(durations).toEqual([["a", 2], ["b", 1]]);
    const tokens = points(metrics.get(METRICS.tokenUsage)).map((p) => [p.attributes[GATEWAY.model], p.attributes[GEN_AI.tokenType], (p.value as Histogram).sum]);
    expect(tokens).toEqual([["a", "input", 20], ["a", "output", 8], ["b", "input", 10], ["b", "output", 4]]);
    expect((points(metrics.get(METRICS.overhead))[0]?.value as Histogram | undefined)?.count).toBe(3);

    // Totals, not increments: a second collection sees everything since start.
    telemetry.requestEnded("ok", 30, 20);
    metrics = await collect(reader);
    expect(by(metrics.get(METRICS.requests), GATEWAY.outcome)).toEqual({ ok: 3, unavailable: 1 });
    await provider.shutdown();
  });

  it("counts calls a full provider pool refused unsent, by provider, and no others", async () => {
    const reader = new HandReader();
    const provider = new MeterProvider({ readers: [reader] });
    const telemetry = new GatewayTelemetry({ captureContent: false, meter: provider.getMeter("test") });
    const failed = (errorKind: string): AttemptEndFacts => ({ ...end(0n), outcome: "failed", errorKind, usage: { inputTokens: 0, outputTokens: 0 } });
    for (const kind of ["queue_full", "queue_full", "timeout"]) telemetry.attemptEnded(telemetry.attemptStarted(start("a"), "openai", []), failed(kind), CLOSE);
    expect(by((await collect(reader)).get(METRICS.queueRefused), GATEWAY.provider)).toEqual({ p: 2 });
    await provider.shutdown();
  });

  it("reports the usage ledger's state as read at each collection", async () => {
    const reader = new HandReader();
    const provider = new MeterProvider({ readers: [reader] });
    const telemetry = new GatewayTelemetry({ captureContent: false, meter: provider.getMeter("test") });
    let state = 0;
    telemetry.observeLedger(() => state);
    expect(points((await collect(reader)).get(METRICS.ledgerState)).map((p) => p.value)).toEqual([0]);
    state = 2;
    expect(points((await collect(reader)).get(METRICS.ledgerState)).map((p) => p.value)).toEqual([2]);
    await provider.shutdown();
  });

  it("counts retries apart from failovers, each with its own event on the RPC span", async () => {
    const reader = new HandReader();
    const provider = new MeterProvider({ readers: [reader] });
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer("test");
    const telemetry = new GatewayTelemetry({ captureContent: false, meter: provider.getMeter("test"), tracer });
    const rpc = tracer.startSpan("rpc");
    const parent = trace.setSpan(ROOT_CONTEXT, rpc);
    telemetry.retry(parent, "a", "server_error");
    telemetry.retry(parent, "a", "server_error");
    telemetry.failover(parent, "a", "b", "overloaded");
    rpc.end();
    const metrics = await collect(reader);
    expect(by(metrics.get(METRICS.retries), GATEWAY.reason)).toEqual({ server_error: 2 });
    expect(by(metrics.get(METRICS.failovers), GATEWAY.reason)).toEqual({ overloaded: 1 });
    const events = exporter.getFinishedSpans()[0]?.events.map((e) => [e.name, e.attributes?.[GATEWAY.model] ?? e.attributes?.[GATEWAY.fromModel], e.attributes?.[GATEWAY.reason]]);
    expect(events).toEqual([
      ["retry", "a", "server_error"],
      ["retry", "a", "server_error"],
      ["failover", "a", "overloaded"],
    ]);
    await provider.shutdown();
  });

  it("says on each attempt span where its usage comes from", () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer("test");
    const telemetry = new GatewayTelemetry({ captureContent: false, tracer });
    for (const basis of ["reported", "bounded", "estimated"] as const) telemetry.attemptEnded(telemetry.attemptStarted(start("a"), "openai", []), end(1n, basis), CLOSE);
    expect(exporter.getFinishedSpans().map((s) => s.attributes[GATEWAY.usageBasis])).toEqual(["reported", "bounded", "estimated"]);
  });

  it("buckets attempt durations and token counts at the GenAI semantic conventions' advised boundaries", async () => {
    const reader = new HandReader();
    const provider = new MeterProvider({ readers: [reader] });
    const telemetry = new GatewayTelemetry({ captureContent: false, meter: provider.getMeter("test") });
    attempt(telemetry, "a", 0n); // 20 ms, 10 input and 4 output tokens
    const metrics = await collect(reader);
    const duration = points(metrics.get(METRICS.operationDuration))[0]?.value as Histogram | undefined;
    expect(duration?.buckets.boundaries).toEqual([0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]);
    // 0.02 s falls in (0.01, 0.02], the second bucket: the default boundaries (0, 5, 10, ...) would put it in the first.
    expect(duration?.buckets.counts.indexOf(1)).toBe(1);
    const tokens = points(metrics.get(METRICS.tokenUsage)).map((p) => p.value as Histogram);
    for (const t of tokens) {
      expect(t.buckets.boundaries).toEqual([1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]);
    }
    // 10 tokens in (4, 16], 4 tokens in (1, 4].
    expect(tokens.map((t) => t.buckets.counts.indexOf(1))).toEqual([2, 1]);
    await provider.shutdown();
  });

  it("records an embeddings attempt under its own operation: a span `embeddings {model}` and input tokens, no output sample", async () => {
    const reader = new HandReader();
    const provider = new MeterProvider({ readers: [reader] });
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer("t");
    const telemetry = new GatewayTelemetry({ captureContent: false, meter: provider.getMeter("test"), tracer });
    const facts = start("emb");
    const embed = { ...facts, request: { ...facts.request, operation: "embeddings" } };
    telemetry.attemptEnded(telemetry.attemptStarted(embed, "openai", []), { ...end(5n), usage: { inputTokens: 7, outputTokens: 0 } }, CLOSE);
    expect(exporter.getFinishedSpans().map((sp) => [sp.name, sp.attributes[GEN_AI.operationName]])).toEqual([["embeddings emb-up", "embeddings"]]);
    const tokens = points((await collect(reader)).get(METRICS.tokenUsage)).map((p) => [p.attributes[GEN_AI.operationName], p.attributes[GEN_AI.tokenType], (p.value as Histogram).sum]);
    expect(tokens).toEqual([["embeddings", "input", 7]]);
  });
});

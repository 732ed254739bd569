/** Spans, events and metrics of the gateway core: one CLIENT span per provider attempt, events per hop. */
import { metrics, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Attributes, Context, Counter, Histogram, Meter, Span, SpanContext, Tracer } from "@opentelemetry/api";
import type { AttemptCloseFacts, AttemptEndFacts, AttemptStartFacts } from "./attempt-facts.js";
import { GATEWAY, GEN_AI, GENERAL, METRICS, OPERATION_DURATION_BUCKETS, PROVIDER_NAME, TOKEN_USAGE_BUCKETS } from "./attributes.js";

/** An attempt in flight: its span and the attributes its metrics share. */
export interface AttemptTrace {
  readonly span: Span;
  readonly metricAttributes: Attributes;
}

const PICOS_PER_USD = 1e12;

/**
 * The OpenTelemetry context carried opaquely through the core (CallContext.trace), or undefined. The gateway
 * passes contexts explicitly instead of through AsyncLocalStorage, whose promise hooks tax every await.
 */
export function asTraceContext(value: unknown): Context | undefined {
  return typeof value === "object" && value !== null && "getValue" in value && "setValue" in value ? (value as Context) : undefined;
}

/** The metric attribute sets of one deployment (its base set and the per-token-type sets) and its cost so far. */
interface MetricSets {
  readonly base: Attributes;
  readonly input: Attributes;
  readonly output: Attributes;
  /** Pico-dollars spent on this deployment since start (exact), reported in USD by an observable counter. */
  costPicos: bigint;
}

/** The gateway's tracer and instruments; a no-op when no SDK is started. */
export class GatewayTelemetry {
  readonly #tracer: Tracer;
  readonly #capture: boolean;
  readonly #tokens: Histogram;
  readonly #duration: Histogram;
  readonly #failovers: Counter;
  readonly #retries: Counter;
  readonly #hedges: Counter;
  readonly #queueRefused: Counter;
  readonly #overhead: Histogram;
  /** Requests ended since start, per outcome, reported by an observable counter. */
  readonly #requests = new Map<string, number>();
  readonly #meter: Meter;
  readonly #sets = new Map<string, MetricSets>();
  readonly #setsOf = new WeakMap<Attributes, MetricSets>();

  constructor(options: { captureContent: boolean; tracer?: Tracer; meter?: Meter }) {
    this.#tracer = options.tracer ?? trace.getTracer("llm-gateway");
    this.#meter = options.meter ?? metrics.getMeter("llm-gateway");
    this.#capture = options.captureContent;
    const m = this.#meter;
    this.#tokens = m.createHistogram(METRICS.tokenUsage, {
      unit: "{token}",
      description: "Tokens used per provider attempt",
      advice: { explicitBucketBoundaries: [...TOKEN_USAGE_BUCKETS] },
    });
    this.#duration = m.createHistogram(METRICS.operationDuration, {
      unit: "s",
      description: "Duration of provider attempts",
      advice: { explicitBucketBoundaries: [...OPERATION_DURATION_BUCKETS] },
    });
    this.#failovers = m.createCounter(METRICS.failovers, { description: "Failovers (a move to another deployment after a failure) by reason" });
    this.#retries = m.createCounter(METRICS.retries, { description: "Retries (another call of the same deployment after its failure) by reason" });
    this.#hedges = m.createCounter(METRICS.hedges, { description: "Hedged attempts by result (won, lost)" });
    this.#queueRefused = m.createCounter(METRICS.queueRefused, { description: "Calls refused unsent because the provider's pool was full (in flight plus queued), by provider" });
    this.#overhead = m.createHistogram(METRICS.overhead, { unit: "ms", description: "Gateway time per request: total minus provider time" });
    // The two per-request counters are summed here and observed at collection: a synchronous add hashes its
    // attributes on every call (a few µs each on the hot path), an observation once per export.
    m.createObservableCounter(METRICS.requests, { description: "Requests by outcome" }).addCallback((result) => {
      for (const [outcome, n] of this.#requests) result.observe(n, { [GATEWAY.outcome]: outcome });
    });
    m.createObservableCounter(METRICS.cost, { unit: "USD", description: "Cost by model" }).addCallback((result) => {
      for (const sets of this.#sets.values()) if (sets.costPicos > 0n) result.observe(Number(sets.costPicos) / PICOS_PER_USD, sets.base);
    });
  }

  /**
   * Starts the CLIENT span `{operation} {upstream model}` (`chat ...` or `embeddings ...`) of an attempt, a child of the request's trace context. The
   * core's facts are read as they are; `providerKind` is the wire format (gen_ai.provider.name) and `previous`
   * the earlier attempts of the request, linked. The span's attributes and links are built only when it records
   * (sampling off costs almost nothing); the metric attribute sets are built once per deployment and reused.
   */
  attemptStarted(i: AttemptStartFacts, providerKind: string, previous: readonly SpanContext[]): AttemptTrace {
    const operation = i.request.operation ?? "chat";
    const metricAttributes = this.#metricSets(i.model, providerKind, operation).base;
    const span = this.#tracer.startSpan(`${operation} ${i.model.upstreamModel}`, { kind: SpanKind.CLIENT }, asTraceContext(i.trace) ?? ROOT_CONTEXT);
    if (span.isRecording()) {
      const attributes: Attributes = {
        ...metricAttributes,
        [GENERAL.serverAddress]: i.providerHost,
        [GATEWAY.attempt]: i.number,
        [GATEWAY.hedge]: i.hedge,
        [GATEWAY.failover]: i.failover,
        [GATEWAY.retry]: i.retry,
        [GATEWAY.streamed]: i.streamed,
        [GATEWAY.breakerState]: i.breakerState,
        [GATEWAY.requestId]: i.request.requestId,
      };
      const { maxTokens, temperature } = i.request.chat.params;
      if (i.route !== undefined) attributes[GATEWAY.route] = i.route;
      if (i.strategy !== undefined) attributes[GATEWAY.strategy] = i.strategy;
      if (maxTokens !== undefined) attributes[GEN_AI.requestMaxTokens] = maxTokens;
      if (temperature !== undefined) attributes[GEN_AI.requestTemperature] = temperature;
      if (this.#capture) attributes[GEN_AI.inputMessages] = JSON.stringify(i.request.chat.messages);
      span.setAttributes(attributes);
      if (previous.length > 0) span.addLinks(previous.map((c) => ({ context: c, attributes: { [GATEWAY.reason]: i.hedge ? "hedge" : i.retry ? "retry" : "failover" } })));
    }
    return { span, metricAttributes };
  }

  /** Ends an attempt's span with usage, cost and outcome, and records its metrics. */
  attemptEnded(t: AttemptTrace, e: AttemptEndFacts, close: AttemptCloseFacts): void {
    const { span } = t;
    if (span.isRecording()) {
      const usd = Number(e.costPicos) / PICOS_PER_USD;
      const attrs: Attributes = {
        [GATEWAY.outcome]: e.outcome,
        [GATEWAY.costUsd]: usd,
        [GATEWAY.costPicoUsd]: e.costPicos.toString(),
        [GATEWAY.usageUnknown]: e.usageUnknown,
        [GATEWAY.usageBasis]: e.usageBasis,
      };
      if (e.usage.inputTokens !== undefined) attrs[GEN_AI.usageInputTokens] = e.usage.inputTokens;
      if (e.usage.outputTokens !== undefined) attrs[GEN_AI.usageOutputTokens] = e.usage.outputTokens;
      if (e.usage.cachedInputTokens !== undefined) attrs[GATEWAY.usageCachedInputTokens] = e.usage.cachedInputTokens;
      if (close.finishReason !== undefined) attrs[GEN_AI.responseFinishReasons] = [close.finishReason];
      if (close.responseModel !== undefined) attrs[GEN_AI.responseModel] = close.responseModel;
      if (e.ttftMs !== undefined) attrs[GATEWAY.ttftMs] = e.ttftMs;
      if (this.#capture && close.output !== undefined) attrs[GEN_AI.outputMessages] = JSON.stringify([{ role: "assistant", content: close.output }]);
      span.setAttributes(attrs);
    }
    if (e.errorKind !== undefined) {
      span.setAttribute(GENERAL.errorType, e.errorKind);
      span.setStatus({ code: SpanStatusCode.ERROR, message: e.errorKind });
    }
    span.end();
    const sets = this.#setsOf.get(t.metricAttributes);
    if (e.errorKind === "queue_full") this.#queueRefused.add(1, { [GATEWAY.provider]: t.metricAttributes[GATEWAY.provider] ?? "" });
    const m = e.errorKind === undefined ? t.metricAttributes : { ...t.metricAttributes, [GENERAL.errorType]: e.errorKind };
    this.#duration.record(e.latencyMs / 1000, m);
    // The GenAI token histogram counts what providers reported; the gateway's estimates stay in the ledger.
    if (e.usageBasis !== "estimated") {
      if (e.usage.inputTokens !== undefined) this.#tokens.record(e.usage.inputTokens, sets?.input ?? { ...t.metricAttributes, [GEN_AI.tokenType]: "input" });
      // An embedding has no output: its known 0 is not an output sample.
      const embeddings = t.metricAttributes[GEN_AI.operationName] === "embeddings";
      if (e.usage.outputTokens !== undefined && !embeddings) this.#tokens.record(e.usage.outputTokens, sets?.output ?? { ...t.metricAttributes, [GEN_AI.tokenType]: "output" });
    }
    if (e.costPicos > 0n && sets) sets.costPicos += e.costPicos;
  }

  /** The metric attribute sets of a deployment, built once. */
  #metricSets(model: AttemptStartFacts["model"], providerKind: string, operation: string): MetricSets {
    const key = `${model.name}\u0000${model.provider}\u0000${model.upstreamModel}\u0000${providerKind}\u0000${operation}`;
    let sets = this.#sets.get(key);
    if (!sets) {
      const base: Attributes = {
        [GEN_AI.operationName]: operation,
        [GEN_AI.providerName]: PROVIDER_NAME[providerKind] ?? providerKind,
        [GEN_AI.requestModel]: model.upstreamModel,
        [GATEWAY.model]: model.name,
        [GATEWAY.provider]: model.provider,
      };
      sets = { base, input: { ...base, [GEN_AI.tokenType]: "input" }, output: { ...base, [GEN_AI.tokenType]: "output" }, costPicos: 0n };
      this.#sets.set(key, sets);
      this.#setsOf.set(base, sets);
    }
    return sets;
  }

  /** Records on the RPC span which models the router considered, in order, and which it left out. */
  planned(parent: Context | undefined, candidates: readonly string[], tooSmall: readonly string[]): void {
    const span = parent && trace.getSpan(parent);
    if (!span?.isRecording()) return;
    span.setAttribute(GATEWAY.candidates, [...candidates]);
    if (tooSmall.length > 0) span.setAttribute(GATEWAY.tooSmall, [...tooSmall]);
  }

  /** Marks a failover hop on the RPC span and counts it by reason. */
  failover(parent: Context | undefined, fromModel: string, toModel: string, reason: string): void {
    (parent && trace.getSpan(parent))?.addEvent("failover", { [GATEWAY.fromModel]: fromModel, [GATEWAY.toModel]: toModel, [GATEWAY.reason]: reason });
    this.#failovers.add(1, { [GATEWAY.reason]: reason });
  }

  /** Marks a retry of the same deployment on the RPC span and counts it by reason. */
  retry(parent: Context | undefined, model: string, reason: string): void {
    (parent && trace.getSpan(parent))?.addEvent("retry", { [GATEWAY.model]: model, [GATEWAY.reason]: reason });
    this.#retries.add(1, { [GATEWAY.reason]: reason });
  }

  /** Marks the start of a hedge on the RPC span. */
  hedgeStarted(parent: Context | undefined, fromModel: string, toModel: string, delayMs: number): void {
    (parent && trace.getSpan(parent))?.addEvent("hedge", { [GATEWAY.fromModel]: fromModel, [GATEWAY.toModel]: toModel, [GATEWAY.reason]: `no first token in ${Math.round(delayMs)} ms` });
  }

  /** Counts a finished hedge race: whether the hedge won or lost. */
  hedgeResult(won: boolean, model: string): void {
    this.#hedges.add(1, { result: won ? "won" : "lost", [GATEWAY.model]: model });
  }

  /** Counts a finished request and records the gateway's own overhead (total minus provider time). */
  requestEnded(outcome: string, totalMs: number, providerMs: number): void {
    this.#requests.set(outcome, (this.#requests.get(outcome) ?? 0) + 1);
    this.#overhead.record(Math.max(0, totalMs - providerMs));
  }

  /** Reports the usage ledger's state (0 ok, 1 spilling, 2 down: requests refused), read on collection. */
  observeLedger(read: () => number): void {
    const gauge = this.#meter.createObservableGauge(METRICS.ledgerState, { description: "Usage ledger state: 0 ok, 1 spilling (rows wait in the spill journal), 2 down (requests refused)" });
    gauge.addCallback((result) => result.observe(read()));
  }

  /**
   * Reports the shared state on collection: whether Redis answers (1) or not (0), the replicas it counts, and the
   * answers given without it per concern (key and deployment limits from the local share, budgets refused).
   */
  observeSharedState(read: () => { readonly up: boolean; readonly replicas: number; readonly fallbacks: Readonly<Record<string, number>> }): void {
    const up = this.#meter.createObservableGauge(METRICS.sharedStateUp, { description: "Shared state (Redis) reachable: 1 yes, 0 no (limits on the local share, budgets refused)" });
    up.addCallback((result) => result.observe(read().up ? 1 : 0));
    const replicas = this.#meter.createObservableGauge(METRICS.sharedStateReplicas, { description: "Live replicas counted in the shared state" });
    replicas.addCallback((result) => result.observe(read().replicas));
    const fallbacks = this.#meter.createObservableCounter(METRICS.sharedStateFallbacks, { description: "Answers given without the shared state, per concern (keys, budgets, deployments)" });
    fallbacks.addCallback((result) => {
      for (const [concern, n] of Object.entries(read().fallbacks)) result.observe(n, { "llmgateway.concern": concern });
    });
  }

  /** Reports every deployment's breaker state (0 closed, 1 half-open, 2 open, 3 cooling down) on collection. */
  observeBreakers(read: () => Iterable<{ model: string; provider: string; state: number }>): void {
    const gauge = this.#meter.createObservableGauge(METRICS.breakerState, { description: "Breaker state per deployment: 0 closed, 1 half-open, 2 open, 3 cooling down" });
    gauge.addCallback((result) => {
      for (const d of read()) result.observe(d.state, { [GATEWAY.model]: d.model, [GATEWAY.provider]: d.provider });
    });
  }
}

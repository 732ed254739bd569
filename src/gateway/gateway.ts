/** The gateway core facade: admit -> plan -> failover loop (with hedging) -> outcome -> ledger, for unary and streaming completions. */
import type { ClientKeyConfig } from "../config/auth.js";
import type { GatewayConfig, ModelConfig } from "../config/schema.js";
import { Admission, Refusal } from "./admission/admission.js";
import type { BudgetView } from "./admission/admission.js";
import { catalogueFor } from "./admission/catalogue.js";
import type { Catalogue } from "./admission/catalogue.js";
import { LocalKeyState } from "./admission/key-state.js";
import type { KeyState } from "./admission/key-state.js";
import type { ProviderAdapter } from "../providers/adapter.js";
import type { Unsupported } from "../providers/types.js";
import { Balancer } from "./health/balancer.js";
import type { Clock, Random } from "./clock.js";
import { upstreamCall } from "./attempts/attempt.js";
import { completeUnary } from "./attempts/failover-unary.js";
import { streamCompletion } from "./attempts/failover-stream.js";
import { embedUnary } from "./embed/failover-embed.js";
import type { EmbedOutcome } from "./embed/embed-request.js";
import type { FailoverDeps } from "./attempts/failover.js";
import { NO_OBSERVER } from "./observer.js";
import type { GatewayObserver, RequestEnd } from "./observer.js";
import type { RequestSetup } from "./attempts/request.js";
import { requestScope } from "./attempts/request.js";
import { InFlight } from "./in-flight.js";
import { plan } from "./routing/router.js";
import type { Plan } from "./routing/router.js";
import { GatewayError } from "./types.js";
import { NO_USAGE } from "./usage.js";
import type { UsageRecorder } from "./usage.js";
import type { SmoothWeightedRoundRobin } from "./routing/strategies/weighted.js";
import type { CallContext, CompletionOutcome, GatewayRequest, GatewayStreamEvent, ModelHealth } from "./types.js";

/** What the gateway is built from. */
export interface GatewayDeps {
  readonly config: GatewayConfig;
  /** Adapters by provider name. */
  readonly adapters: ReadonlyMap<string, ProviderAdapter>;
  readonly clock: Clock;
  readonly random: Random;
  /** Lifecycle events for telemetry and logs; none when absent. */
  readonly observer?: GatewayObserver;
  /** The usage ledger every ended request is written to before its answer leaves; none when absent. */
  readonly usage?: UsageRecorder;
  /** Per-key limit state; in process when absent. */
  readonly keys?: KeyState;
  /** Monthly budgets; none enforced when absent. */
  readonly budgets?: BudgetView;
  /**
   * Whether the usage ledger can record requests now; while false, admission refuses every request with UNAVAILABLE
   * before any provider call (a provider would bill what could not be accounted). Always when absent.
   */
  readonly accountingReady?: () => boolean;
}

/** The core entry point the service layer calls. */
export class Gateway {
  readonly #deps: GatewayDeps;
  readonly #balancer: Balancer;
  readonly #rr = new Map<string, SmoothWeightedRoundRobin>();
  readonly #failover: FailoverDeps;
  readonly #inFlight = new InFlight();
  readonly #admission: Admission;
  readonly #observer: GatewayObserver;
  readonly #usage: UsageRecorder;

  constructor(deps: GatewayDeps) {
    for (const m of deps.config.models.values()) {
      if (!deps.adapters.has(m.provider)) throw new Error(`model ${m.name}: no adapter for provider ${m.provider}`);
    }
    this.#deps = deps;
    this.#balancer = new Balancer(deps.config, deps.clock);
    this.#observer = deps.observer ?? NO_OBSERVER;
    this.#usage = deps.usage ?? NO_USAGE;
    this.#admission = new Admission({ config: deps.config, clock: deps.clock, keys: deps.keys ?? new LocalKeyState(), budgets: deps.budgets, ready: deps.accountingReady });
    const finish = (end: RequestEnd): Promise<void> => this.#finish(end);
    this.#failover = { config: deps.config, adapters: deps.adapters, balancer: this.#balancer, clock: deps.clock, random: deps.random, observer: this.#observer, finish };
  }

  /** The configuration snapshot the gateway runs on. */
  get config(): GatewayConfig {
    return this.#deps.config;
  }

  /** The live deployment state (breakers, limits, latency), for inspection. */
  get balancer(): Balancer {
    return this.#balancer;
  }

  /** A model's health now: unhealthy (breaker open), probing (half-open), cooling_down (429 or no headroom), healthy. */
  health(model: string): ModelHealth {
    return this.#balancer.health(model);
  }

  /** Serves a unary completion, failing over (and hedging, per route) across the plan's candidates. */
  async complete(req: GatewayRequest, ctx: CallContext): Promise<CompletionOutcome> {
    this.#inFlight.enter();
    try {
      return await completeUnary(this.#failover, await this.#setup(req, ctx, false));
    } finally {
      this.#inFlight.leave();
    }
  }

  /** Serves a streamed completion; fails over silently until the first delta is sent. */
  async *stream(req: GatewayRequest, ctx: CallContext): AsyncGenerator<GatewayStreamEvent> {
    // Planned on the first read, so a stream that is never read holds no timers.
    this.#inFlight.enter();
    try {
      yield* streamCompletion(this.#failover, await this.#setup(req, ctx, true));
    } finally {
      this.#inFlight.leave();
    }
  }

  /** Serves an embeddings request (made by `embedRequest`), failing over across the plan's embedding models. */
  async embed(req: GatewayRequest, ctx: CallContext): Promise<EmbedOutcome> {
    const input = req.embed;
    if (req.operation !== "embeddings" || input === undefined) throw new GatewayError("internal", "not an embeddings request");
    this.#inFlight.enter();
    try {
      return await embedUnary(this.#failover, await this.#setup(req, ctx, false), input);
    } finally {
      this.#inFlight.leave();
    }
  }

  /** The models and routes `key` may see (all of them for an admin key, or when auth is off). */
  catalogue(key: ClientKeyConfig | undefined): Catalogue {
    return catalogueFor(this.#deps.config, key);
  }

  /** Counts a cost report of `key` against its requests per minute; throws the refusal when they are spent. */
  admitReport(key: ClientKeyConfig | undefined): void {
    this.#admission.admitReport(key);
  }

  /** Resolves when no request is in flight (every one has reached its observers), or after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean> {
    return this.#inFlight.idle(timeoutMs);
  }

  /** Admits and plans the request; one refused or unplannable still ends through #finish (ledger row, observers). */
  async #setup(raw: GatewayRequest, ctx: CallContext, stream: boolean): Promise<RequestSetup> {
    const { clock } = this.#deps;
    let req = raw;
    let p: Plan;
    try {
      req = this.#admission.admit(ctx.principal, raw);
      const chat = req.chat;
      const check = (m: ModelConfig): Unsupported | undefined => this.#deps.adapters.get(m.provider)?.check(upstreamCall(m, chat));
      p = plan(this.#deps.config, req, { view: this.#balancer, random: this.#deps.random, stream, rr: this.#rr, check });
    } catch (err) {
      const outcome = err instanceof GatewayError ? err.code : "internal";
      const refusal = err instanceof GatewayError ? err.refusal : undefined;
      const request = err instanceof Refusal && err.request ? err.request : req;
      const route = this.#deps.config.routes.has(request.target) ? request.target : undefined;
      await this.#finish({ request, clientKey: ctx.principal?.id, route, streamed: stream, attempts: [], outcome, refusal, startedAt: clock.now(), totalMs: 0 });
      throw err;
    }
    this.#observer.planned?.(
      ctx.trace,
      p.candidates.map((m) => m.name),
      p.tooSmall,
    );
    const { scope, deadlineMono, liftDefaultDeadline } = requestScope(ctx, clock, this.#deps.config.failover.deadlineMs);
    return { req, ctx, plan: p, scope, deadlineMono, liftDefaultDeadline, startedAt: clock.now(), startedMono: clock.monotonic() };
  }

  /**
   * Ends a request: its ledger rows made durable (acknowledged means stored), what it
   * took at admission settled (its committed cost now counts in place of its reservation), then the observers told.
   * When the rows cannot be made durable, this throws the recorder's UNAVAILABLE, which the request ends with.
   */
  async #finish(end: RequestEnd): Promise<void> {
    try {
      await this.#usage.record(end);
    } catch (err) {
      // Failed closed: the client gets UNAVAILABLE, and the observers count what the client gets.
      this.#observer.requestEnded({ ...end, outcome: "unavailable" });
      throw err;
    } finally {
      this.#admission.settle(end);
    }
    this.#observer.requestEnded(end);
  }
}

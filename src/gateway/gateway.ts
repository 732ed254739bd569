/** The gateway core facade: plan -> failover loop (with hedging) -> outcome, for unary and streaming completions. */
import type { GatewayConfig } from "../config/schema.js";
import type { ProviderAdapter } from "../providers/adapter.js";
import { Balancer } from "./health/balancer.js";
import type { Clock, Random } from "./clock.js";
import { completeUnary } from "./attempts/failover-unary.js";
import { streamCompletion } from "./attempts/failover-stream.js";
import type { FailoverDeps } from "./attempts/failover.js";
import { NO_OBSERVER } from "./observer.js";
import type { GatewayObserver } from "./observer.js";
import type { RequestSetup } from "./attempts/request.js";
import { requestScope } from "./attempts/request.js";
import { InFlight } from "./in-flight.js";
import { plan } from "./routing/router.js";
import type { Plan } from "./routing/router.js";
import { GatewayError } from "./types.js";
import type { SmoothWeightedRoundRobin } from "./routing/strategies/weighted.js";
import type { CallContext, CompletionOutcome, GatewayRequest, GatewayStreamEvent, ModelHealth } from "./types.js";

/** What the gateway is built from. */
export interface GatewayDeps {
  readonly config: GatewayConfig;
  /** Adapters by provider name. */
  readonly adapters: ReadonlyMap<string, ProviderAdapter>;
  readonly clock: Clock;
  readonly random: Random;
  /** Lifecycle events for telemetry and the ledger; none when absent. */
  readonly observer?: GatewayObserver;
}

/** The core entry point the service layer calls. */
export class Gateway {
  readonly #deps: GatewayDeps;
  readonly #balancer: Balancer;
  readonly #rr = new Map<string, SmoothWeightedRoundRobin>();
  readonly #failover: FailoverDeps;
  readonly #inFlight = new InFlight();

  constructor(deps: GatewayDeps) {
    for (const m of deps.config.models.values()) {
      if (!deps.adapters.has(m.provider)) throw new Error(`model ${m.name}: no adapter for provider ${m.provider}`);
    }
    this.#deps = deps;
    this.#balancer = new Balancer(deps.config, deps.clock);
    this.#failover = { config: deps.config, adapters: deps.adapters, balancer: this.#balancer, clock: deps.clock, random: deps.random, observer: deps.observer ?? NO_OBSERVER };
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

  /** Resolves when no request is in flight (every one has reached its observers), or after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean> {
    return this.#inFlight.idle(timeoutMs);
  }

  /** Plans the request; a request that cannot be planned is still told to the observers (counted, logged). */
  async #setup(req: GatewayRequest, ctx: CallContext, stream: boolean): Promise<RequestSetup> {
    const { clock } = this.#deps;
    let p: Plan;
    try {
      p = plan(this.#deps.config, req, { view: this.#balancer, random: this.#deps.random, stream, rr: this.#rr });
    } catch (err) {
      const outcome = err instanceof GatewayError ? err.code : "internal";
      await this.#failover.observer.requestEnded({ request: req, clientKey: ctx.clientKey, route: undefined, streamed: stream, attempts: [], outcome, startedAt: clock.now(), totalMs: 0 });
      throw err;
    }
    this.#failover.observer.planned?.(
      ctx.trace,
      p.candidates.map((m) => m.name),
      p.tooSmall,
    );
    const { scope, deadlineMono, liftDefaultDeadline } = requestScope(ctx, clock, this.#deps.config.failover.deadlineMs);
    return { req, ctx, plan: p, scope, deadlineMono, liftDefaultDeadline, startedAt: clock.now(), startedMono: clock.monotonic() };
  }
}

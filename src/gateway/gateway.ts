/** The gateway core facade: admit -> plan -> failover loop (with hedging) -> outcome -> ledger, for unary and streaming completions. */
import type { ClientKeyConfig } from "../config/auth.js";
import type { GatewayConfig, ModelConfig } from "../config/schema.js";
import { Refusal } from "./admission/admission.js";
import type { BudgetView } from "./admission/admission.js";
import { catalogueFor } from "./admission/catalogue.js";
import type { Catalogue } from "./admission/catalogue.js";
import { LocalKeyState } from "./admission/key-state.js";
import type { DeploymentShare, KeyState } from "./shared/shared-state.js";
import type { ProviderAdapter } from "../providers/adapter.js";
import type { Unsupported } from "../providers/types.js";
import type { Balancer } from "./health/balancer.js";
import type { Clock, Random } from "./clock.js";
import { upstreamCall } from "./attempts/attempt.js";
import { completeUnary } from "./attempts/failover-unary.js";
import { streamCompletion } from "./attempts/failover-stream.js";
import { embedUnary } from "./embed/failover-embed.js";
import type { EmbedOutcome } from "./embed/embed-request.js";
import { Snapshot } from "./snapshot.js";
import type { SnapshotParts, SnapshotShared } from "./snapshot.js";
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
  /** Deployment limits and cooldowns shared by replicas; each process's own when absent. */
  readonly deployments?: DeploymentShare;
  /** Without shared deployments: how many processes enforce deployment limits apart, each its share (default 1). */
  readonly localShare?: number;
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
  readonly #shared: SnapshotShared;
  readonly #rr = new Map<string, SmoothWeightedRoundRobin>();
  readonly #inFlight = new InFlight();
  readonly #observer: GatewayObserver;
  readonly #usage: UsageRecorder;
  #current: Snapshot;
  /** Earlier snapshots with requests still running on them. */
  readonly #draining = new Set<Snapshot>();

  constructor(deps: GatewayDeps) {
    this.#observer = deps.observer ?? NO_OBSERVER;
    this.#usage = deps.usage ?? NO_USAGE;
    const keys = deps.keys ?? new LocalKeyState();
    this.#shared = { clock: deps.clock, random: deps.random, observer: this.#observer, keys, deployments: deps.deployments, localShare: deps.localShare ?? 1, accountingReady: deps.accountingReady, finish: (s, end) => this.#finish(s, end) };
    this.#current = new Snapshot(deps, this.#shared);
    // What other replicas learn about a deployment (a provider's headers, a cooldown) applies to the snapshot serving now.
    deps.deployments?.subscribe((model, news) => this.#current.balancer.receive(model, news));
  }

  /** The configuration snapshot new requests run on. */
  get config(): GatewayConfig {
    return this.#current.config;
  }

  /** The live deployment state (breakers, limits, latency) of the current snapshot, for inspection. */
  get balancer(): Balancer {
    return this.#current.balancer;
  }

  /** A model's health now: unhealthy (breaker open), probing (half-open), cooling_down (429 or no headroom), healthy. */
  health(model: string): ModelHealth {
    return this.#current.balancer.health(model);
  }

  /**
   * Makes `parts` the snapshot of every request that starts from now on; requests in flight end on theirs. The
   * state of unchanged deployments carries over. Resolves once no request runs on the replaced snapshot any more.
   */
  reconfigure(parts: SnapshotParts): Promise<void> {
    const old = this.#current;
    this.#current = new Snapshot(parts, this.#shared, old);
    this.#draining.add(old);
    return old.inFlight.drained().then(() => {
      this.#draining.delete(old);
    });
  }

  /** Every adapter a snapshot that may still serve a request holds (the current one, and those draining). */
  adaptersInUse(): Set<ProviderAdapter> {
    const used = new Set(this.#current.adapters.values());
    for (const s of this.#draining) for (const a of s.adapters.values()) used.add(a);
    return used;
  }

  /** Serves a unary completion, failing over (and hedging, per route) across the plan's candidates. */
  async complete(req: GatewayRequest, ctx: CallContext): Promise<CompletionOutcome> {
    const s = this.#enter();
    try {
      return await completeUnary(s.failover, await this.#setup(s, req, ctx, false));
    } finally {
      this.#leave(s);
    }
  }

  /** Serves a streamed completion; fails over silently until the first delta is sent. */
  async *stream(req: GatewayRequest, ctx: CallContext): AsyncGenerator<GatewayStreamEvent> {
    // Planned on the first read, so a stream that is never read holds no timers; it runs on the snapshot of then.
    const s = this.#enter();
    try {
      yield* streamCompletion(s.failover, await this.#setup(s, req, ctx, true));
    } finally {
      this.#leave(s);
    }
  }

  /** Serves an embeddings request (made by `embedRequest`), failing over across the plan's embedding models. */
  async embed(req: GatewayRequest, ctx: CallContext): Promise<EmbedOutcome> {
    const input = req.embed;
    if (req.operation !== "embeddings" || input === undefined) throw new GatewayError("internal", "not an embeddings request");
    const s = this.#enter();
    try {
      return await embedUnary(s.failover, await this.#setup(s, req, ctx, false), input);
    } finally {
      this.#leave(s);
    }
  }

  /** The models and routes `key` may see (all of them for an admin key, or when auth is off), in the current config. */
  catalogue(key: ClientKeyConfig | undefined): Catalogue {
    return catalogueFor(this.#current.config, key);
  }

  /** Counts a cost report of `key` against its requests per minute; throws the refusal when they are spent. */
  admitReport(key: ClientKeyConfig | undefined): Promise<void> {
    return this.#current.admission.admitReport(key);
  }

  /** Resolves when no request is in flight (every one has reached its observers), or after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean> {
    return this.#inFlight.idle(timeoutMs);
  }

  #enter(): Snapshot {
    const s = this.#current;
    s.inFlight.enter();
    this.#inFlight.enter();
    return s;
  }

  #leave(s: Snapshot): void {
    s.inFlight.leave();
    this.#inFlight.leave();
  }

  /** Admits and plans the request; one refused or unplannable still ends through #finish (ledger row, observers). */
  async #setup(s: Snapshot, raw: GatewayRequest, ctx: CallContext, stream: boolean): Promise<RequestSetup> {
    const { clock, random } = this.#shared;
    let req = raw;
    let p: Plan;
    try {
      req = await s.admission.admit(ctx.principal, raw);
      const chat = req.chat;
      const check = (m: ModelConfig): Unsupported | undefined => s.adapters.get(m.provider)?.check(upstreamCall(m, chat));
      p = plan(s.config, req, { view: s.balancer, random, stream, rr: this.#rr, check });
    } catch (err) {
      const outcome = err instanceof GatewayError ? err.code : "internal";
      const refusal = err instanceof GatewayError ? err.refusal : undefined;
      const request = err instanceof Refusal && err.request ? err.request : req;
      const route = s.config.routes.has(request.target) ? request.target : undefined;
      await this.#finish(s, { request, clientKey: ctx.principal?.id, route, streamed: stream, attempts: [], outcome, refusal, startedAt: clock.now(), totalMs: 0 });
      throw err;
    }
    this.#observer.planned?.(
      ctx.trace,
      p.candidates.map((m) => m.name),
      p.tooSmall,
    );
    const { scope, deadlineMono, liftDefaultDeadline } = requestScope(ctx, clock, s.config.failover.deadlineMs);
    return { req, ctx, plan: p, scope, deadlineMono, liftDefaultDeadline, startedAt: clock.now(), startedMono: clock.monotonic() };
  }

  /**
   * Ends a request: its ledger rows made durable (acknowledged means stored), what it
   * took at admission settled (its committed cost now counts in place of its reservation), then the observers told.
   * When the rows cannot be made durable, this throws the recorder's UNAVAILABLE, which the request ends with.
   */
  async #finish(s: Snapshot, end: RequestEnd): Promise<void> {
    try {
      await this.#usage.record(end);
    } catch (err) {
      // Failed closed: the client gets UNAVAILABLE, and the observers count what the client gets.
      this.#observer.requestEnded({ ...end, outcome: "unavailable" });
      throw err;
    } finally {
      s.admission.settle(end);
    }
    this.#observer.requestEnded(end);
  }
}

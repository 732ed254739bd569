/** The gateway core: plan -> attempt loop -> outcome, for unary and streaming completions. */
import type { GatewayConfig, ModelConfig } from "../config/schema.js";
import type { ProviderAdapter } from "../providers/adapter.js";
import { isRetryable, ProviderError } from "../providers/errors.js";
import type { FinishReason, Usage } from "../providers/types.js";
import { asProviderError, finishAttempt, startAttempt, upstreamCall } from "./attempt.js";
import type { AttemptStart } from "./attempt.js";
import type { Clock, Random } from "./clock.js";
import { failure } from "./outcome.js";
import type { StopReason } from "./outcome.js";
import { plan } from "./router.js";
import type { Plan } from "./router.js";
import { Scope } from "./scope.js";
import type { AttemptRecord, CallContext, CompletionOutcome, GatewayRequest, GatewayStreamEvent, ModelHealth } from "./types.js";
import { GatewayError } from "./types.js";

/** What the gateway is built from. */
export interface GatewayDeps {
  readonly config: GatewayConfig;
  /** Adapters by provider name. */
  readonly adapters: ReadonlyMap<string, ProviderAdapter>;
  readonly clock: Clock;
  readonly random: Random;
}

/** The core entry point the service layer calls. */
export class Gateway {
  readonly #deps: GatewayDeps;

  constructor(deps: GatewayDeps) {
    this.#deps = deps;
  }

  /** The configuration snapshot the gateway runs on. */
  get config(): GatewayConfig {
    return this.#deps.config;
  }

  /** A model's health now (breakers and cooldowns arrive with the balancer). */
  health(_model: string): ModelHealth {
    return "healthy";
  }

  /** Serves a unary completion, failing over across the plan's candidates. */
  async complete(req: GatewayRequest, ctx: CallContext): Promise<CompletionOutcome> {
    const p = plan(this.#deps.config, req.target);
    const scope = this.#requestScope(ctx);
    const attempts: AttemptRecord[] = [];
    try {
      for (let i = 0; ; i++) {
        const stop = this.#shouldStop(scope, attempts, i);
        if (stop) throw failure(stop, attempts);
        const model = this.#candidate(p, i);
        const start = startAttempt(this.#deps.clock, i + 1, model, this.#adapter(model), { hedge: false, failover: i > 0 });
        const attemptScope = new Scope(scope, undefined, "deadline");
        try {
          const result = await start.adapter.complete(upstreamCall(model, req.chat), { signal: attemptScope.signal });
          const record = finishAttempt(this.#deps.clock, start, "succeeded", result.usage, undefined);
          attempts.push(record);
          return this.#outcome(req, p, record, attempts, result.text, result.finishReason, result.responseModel);
        } catch (err) {
          attempts.push(this.#failed(start, err, scope));
        } finally {
          attemptScope.dispose();
        }
        await this.#backoff(p, i, scope);
      }
    } finally {
      scope.dispose();
    }
  }

  /** Serves a streamed completion; fails over silently until the first delta is sent. */
  async *stream(req: GatewayRequest, ctx: CallContext): AsyncGenerator<GatewayStreamEvent> {
    const p = plan(this.#deps.config, req.target);
    const scope = this.#requestScope(ctx);
    const attempts: AttemptRecord[] = [];
    try {
      for (let i = 0; ; i++) {
        const stop = this.#shouldStop(scope, attempts, i);
        if (stop) throw failure(stop, attempts);
        const model = this.#candidate(p, i);
        const start = startAttempt(this.#deps.clock, i + 1, model, this.#adapter(model), { hedge: false, failover: i > 0 });
        const attemptScope = new Scope(scope, undefined, "deadline");
        const disarm = attemptScope.arm(this.#deps.config.failover.firstTokenTimeoutMs, "first_token_timeout");
        let usage: Usage = {};
        let ttft: number | undefined;
        let finish: FinishReason = "unspecified";
        let responseModel: string | undefined;
        try {
          for await (const ev of start.adapter.stream(upstreamCall(model, req.chat), { signal: attemptScope.signal })) {
            if (ev.type === "delta") {
              if (ttft === undefined) {
                ttft = this.#deps.clock.monotonic();
                disarm();
              }
              yield { type: "delta", text: ev.text };
            } else if (ev.type === "usage") usage = ev.usage;
            else {
              finish = ev.reason;
              responseModel = ev.responseModel;
            }
          }
          const record = finishAttempt(this.#deps.clock, start, "succeeded", usage, ttft);
          attempts.push(record);
          yield { type: "done", outcome: this.#outcome(req, p, record, attempts, "", finish, responseModel) };
          return;
        } catch (err) {
          const record = this.#failed(start, err, attemptScope, usage, ttft);
          attempts.push(record);
          // After the first token the stream is committed: end it with an error, never silently.
          if (ttft !== undefined) throw failure(scope.cause === "client" ? "cancelled" : "exhausted", attempts);
        } finally {
          disarm();
          attemptScope.dispose();
        }
        await this.#backoff(p, i, scope);
      }
    } finally {
      scope.dispose();
    }
  }

  #requestScope(ctx: CallContext): Scope {
    const now = this.#deps.clock.now();
    const deadline = ctx.deadline ?? now + this.#deps.config.failover.deadlineMs;
    return new Scope(ctx.signal, deadline - now, "deadline");
  }

  #candidate(p: Plan, i: number): ModelConfig {
    const model = p.candidates[i % p.candidates.length];
    if (!model) throw new GatewayError("internal", "empty plan");
    return model;
  }

  #adapter(model: ModelConfig): ProviderAdapter {
    const adapter = this.#deps.adapters.get(model.provider);
    if (!adapter) throw new GatewayError("internal", `no adapter for provider ${model.provider}`);
    return adapter;
  }

  #shouldStop(scope: Scope, attempts: readonly AttemptRecord[], i: number): StopReason | undefined {
    if (scope.cause === "client") return "cancelled";
    if (scope.cause === "deadline") return "deadline";
    const last = attempts[attempts.length - 1];
    if (last?.errorKind !== undefined && !isRetryable(last.errorKind)) return "not_retryable";
    if (i >= this.#deps.config.failover.maxAttempts) return "exhausted";
    return undefined;
  }

  #failed(start: AttemptStart, err: unknown, scope: Scope, usage?: Usage, ttft?: number): AttemptRecord {
    let error = asProviderError(err);
    if (scope.cause === "first_token_timeout") error = new ProviderError({ kind: "timeout", reason: "no first token in time", cause: err });
    else if (scope.cause === "deadline") error = new ProviderError({ kind: "timeout", reason: "request deadline", cause: err });
    const billed = error.usage ?? usage ?? {};
    const outcome = scope.cause === "client" ? "aborted" : "failed";
    return finishAttempt(this.#deps.clock, start, outcome, billed, ttft, error);
  }

  /** Before going back to a deployment already tried, waits with full-jitter exponential backoff. */
  async #backoff(p: Plan, i: number, scope: Scope): Promise<void> {
    const round = Math.floor((i + 1) / p.candidates.length);
    if ((i + 1) % p.candidates.length !== 0 || round === 0) return;
    const { backoffBaseMs, backoffMaxMs } = this.#deps.config.failover;
    const ms = this.#deps.random() * Math.min(backoffMaxMs, backoffBaseMs * 2 ** (round - 1));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        scope.signal.removeEventListener("abort", done);
        resolve();
      }
      scope.signal.addEventListener("abort", done, { once: true });
    });
  }

  #outcome(
    req: GatewayRequest,
    p: Plan,
    served: AttemptRecord,
    attempts: readonly AttemptRecord[],
    text: string,
    finishReason: FinishReason,
    responseModel: string | undefined,
  ): CompletionOutcome {
    return {
      requestId: req.requestId,
      text,
      finishReason,
      model: served.model,
      provider: served.provider,
      responseModel,
      route: p.route?.name,
      usage: served.usage,
      costPicos: attempts.reduce((sum, a) => sum + a.costPicos, 0n),
      attempts,
    };
  }
}

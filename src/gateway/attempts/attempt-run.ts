/** One running attempt: its scope, its balancer ticket, and its record, closed exactly once. */
import type { ModelConfig } from "../../config/schema.js";
import type { CallOptions, ProviderAdapter } from "../../providers/adapter.js";
import type { RateLimitHint } from "../../providers/wire.js";
import { ProviderError } from "../../providers/errors.js";
import type { ChatRequest, Usage } from "../../providers/types.js";
import { asProviderError, finishAttempt, startAttempt } from "./attempt.js";
import { accountUsage } from "./usage-basis.js";
import type { AccountedUsage } from "./usage-basis.js";
import type { AttemptStart } from "./attempt.js";
import type { Balancer } from "../health/balancer.js";
import type { Clock } from "../clock.js";
import type { Ticket } from "../health/deployment.js";
import { Scope } from "../scope.js";
import type { AbortCause } from "../scope.js";
import type { AttemptClose } from "../observer.js";
import type { AttemptRecord } from "../types.js";

/** What an attempt needs from the gateway. */
export interface RunDeps {
  readonly clock: Clock;
  readonly balancer: Balancer;
}

/** How an attempt is started. */
export interface RunInit {
  readonly number: number;
  readonly model: ModelConfig;
  readonly adapter: ProviderAdapter;
  readonly ticket: Ticket;
  readonly hedge: boolean;
  readonly failover: boolean;
  readonly retry: boolean;
  /** The request's scope; the attempt's scope is its child. */
  readonly parent: Scope;
  /** The attempt's own timeout, ms (undefined: none besides the request's). */
  readonly timeoutMs: number | undefined;
  readonly stream: boolean;
  /** The request as sent, for bounding and estimating its usage. */
  readonly chat: ChatRequest;
  /** Told once when the attempt closes (telemetry, ledger). */
  readonly onClose: (record: AttemptRecord, close: AttemptClose) => void;
}

/** Usage of an attempt the provider refused with an error status. */
const ZERO_USAGE: Usage = { inputTokens: 0, outputTokens: 0 };

const NO_CLOSE: AttemptClose = { finishReason: undefined, responseModel: undefined };

/** Causes that end an attempt without saying anything about the provider. */
const NEUTRAL: ReadonlySet<AbortCause> = new Set<AbortCause>(["client", "deadline", "hedge_lost"]);

/** A started attempt. */
export class AttemptRun {
  readonly model: ModelConfig;
  readonly adapter: ProviderAdapter;
  readonly start: AttemptStart;
  readonly scope: Scope;
  /** Usage reported so far (streams report it at the end). */
  usage: Usage = {};
  /** Monotonic time of the first token, once it arrived. */
  ttftMono: number | undefined;
  /** Monotonic time the request went on the wire (left the pool's queue), once it did. */
  dispatchedMono: number | undefined;
  readonly #deps: RunDeps;
  readonly #timeoutMs: number | undefined;
  readonly #ticket: Ticket;
  readonly #stream: boolean;
  readonly #chat: ChatRequest;
  #seenChars = 0;
  #seenEvents = 0;
  readonly #onClose: (record: AttemptRecord, close: AttemptClose) => void;
  #record: AttemptRecord | undefined;
  #error: ProviderError | undefined;
  #onAbort: (() => void) | undefined;

  constructor(deps: RunDeps, init: RunInit) {
    this.#deps = deps;
    this.model = init.model;
    this.adapter = init.adapter;
    this.#ticket = init.ticket;
    this.#stream = init.stream;
    this.#chat = init.chat;
    this.#onClose = init.onClose;
    this.start = startAttempt(deps.clock, init.number, init.model, init.adapter, { hedge: init.hedge, failover: init.failover, retry: init.retry });
    // An adapter that tells when a call leaves its pool's queue gets the attempt timeout from then on.
    this.#timeoutMs = init.adapter.signalsDispatch === true ? init.timeoutMs : undefined;
    this.scope = new Scope(init.parent, init.adapter.signalsDispatch === true ? undefined : init.timeoutMs, "attempt_timeout");
  }

  /**
   * Options for the adapter call: this attempt's signal, rate-limit headers fed to the balancer, and `onWire` run
   * once the request is on the wire (at once for an adapter that does not tell), where the attempt's timers start:
   * time queued for a connection of the gateway's own pool is never counted against the provider.
   */
  callOptions(onWire?: () => void): CallOptions {
    const model = this.model.name;
    const onRateLimit = (hint: RateLimitHint): void => this.#deps.balancer.applyHint(model, hint);
    const onDispatched = (): void => {
      if (this.#record !== undefined || this.scope.aborted) return;
      this.dispatchedMono ??= this.#deps.clock.monotonic();
      if (this.#timeoutMs !== undefined) this.scope.arm(this.#timeoutMs, "attempt_timeout");
      onWire?.();
    };
    if (this.adapter.signalsDispatch !== true) {
      onDispatched();
      return { signal: this.scope.signal, onRateLimit };
    }
    return { signal: this.scope.signal, onRateLimit, onDispatched };
  }

  /** Registers cleanup to run when the attempt is aborted from outside (closing a stream iterator). */
  onAbort(fn: () => void): void {
    this.#onAbort = fn;
  }

  /** The closed record, once closed. */
  get record(): AttemptRecord | undefined {
    return this.#record;
  }

  /** The classified error of a failed attempt. */
  get error(): ProviderError | undefined {
    return this.#error;
  }

  /** Counts text the client was sent (a delta, or a unary answer): what an unreported usage is estimated from. */
  saw(text: string): void {
    this.#seenChars += text.length;
    this.#seenEvents++;
  }

  /** Marks the first token now. */
  firstToken(): void {
    this.ttftMono ??= this.#deps.clock.monotonic();
  }

  /** Closes the attempt as succeeded with its usage (and, for telemetry, how the answer ended). */
  succeed(usage: Usage, close: AttemptClose = NO_CLOSE): AttemptRecord {
    if (this.#record) return this.#record;
    this.usage = usage;
    const accounted = this.#account(usage, false);
    const record = finishAttempt(this.#deps.clock, this.start, "succeeded", accounted, this.ttftMono);
    const firstAnswerMs = this.#stream ? record.ttftMs : record.latencyMs;
    return this.#close(record, { errorKind: undefined, neutral: false, retryAfterMs: undefined, usage: record.usage, stream: this.#stream, firstAnswerMs }, close);
  }

  /** Closes the attempt as failed (or aborted, when its scope was aborted) from what the adapter threw. */
  fail(err: unknown): AttemptRecord {
    if (this.#record) return this.#record;
    const cause = this.scope.cause;
    const error = this.#classify(err, cause);
    this.#error = error;
    // The error's usage when it reports any count, else what the stream reported before failing; a provider
    // that answered with an HTTP error status generated nothing and bills nothing: known zero, not unknown.
    const reported = error.usage && Object.values(error.usage).some((v) => v !== undefined) ? error.usage : this.usage;
    const rejected = error.status !== undefined && error.status >= 400 && reported.inputTokens === undefined && reported.outputTokens === undefined;
    // Nor can a provider that was never reached (a connection that failed before an answer, or a call the
    // gateway's full pool refused unsent) have billed.
    const unreached = (error.kind === "network" && this.ttftMono === undefined) || error.kind === "queue_full";
    const accounted = this.#account(rejected ? ZERO_USAGE : reported, rejected || unreached);
    const usage = accounted.usage;
    const aborted = cause === "client" || cause === "hedge_lost";
    const record = finishAttempt(this.#deps.clock, this.start, aborted ? "aborted" : "failed", accounted, this.ttftMono, error);
    const neutral = cause !== undefined && NEUTRAL.has(cause);
    // A run that failed or lost before its first answer is slow at least by its elapsed time: a lower-bound
    // sample, so that a provider that only times out does not look fastest to the latency strategy.
    // A call refused by the gateway's full pool was never sent: no sample (its ~0 ms would look fast).
    const firstAnswerMs = this.ttftMono === undefined && cause !== "client" && error.kind !== "queue_full" ? record.latencyMs : undefined;
    return this.#close(record, { errorKind: error.kind, neutral, retryAfterMs: error.retryAfterMs, usage, stream: this.#stream, firstAnswerMs }, { ...NO_CLOSE, cause: error.cause });
  }

  /** Aborts the attempt now (hedge lost, client gone) and closes it as aborted with the usage seen so far. */
  abort(cause: AbortCause): AttemptRecord {
    this.scope.abort(cause);
    const record = this.fail(new Error(cause));
    this.#onAbort?.();
    return record;
  }


  #account(reported: Usage, notBilled: boolean): AccountedUsage {
    return accountUsage(reported, { chat: this.#chat, model: this.model, stream: this.#stream, seenChars: this.#seenChars, seenEvents: this.#seenEvents, notBilled });
  }

  #classify(err: unknown, cause: AbortCause | undefined): ProviderError {
    switch (cause) {
      case "first_token_timeout":
        return new ProviderError({ kind: "timeout", reason: "no first token within the first-token timeout", cause: err });
      case "attempt_timeout":
        return new ProviderError({ kind: "timeout", reason: "attempt timeout", cause: err });
      case "idle_timeout":
        return new ProviderError({ kind: "timeout", reason: "stream stalled longer than the idle timeout", cause: err });
      case "deadline":
        return new ProviderError({ kind: "timeout", reason: "request deadline", cause: err });
      case "client":
        return new ProviderError({ kind: "cancelled", reason: "cancelled by the client", cause: err });
      case "hedge_lost":
        return new ProviderError({ kind: "cancelled", reason: "lost the hedge race", cause: err });
      case undefined:
        return asProviderError(err);
    }
  }

  #close(record: AttemptRecord, result: Parameters<Balancer["finish"]>[1], close: AttemptClose = NO_CLOSE): AttemptRecord {
    this.#record = record;
    this.#deps.balancer.finish(this.#ticket, result);
    this.scope.dispose();
    this.#onClose(record, close);
    return record;
  }
}

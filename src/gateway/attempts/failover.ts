/** The attempt loop shared by unary and streamed requests: pick, wait, call, hedge, fail over, stop. */
import type { GatewayConfig, HedgeConfig } from "../../config/schema.js";
import type { ProviderAdapter } from "../../providers/adapter.js";
import { isRetryable } from "./policy.js";
import type { ProviderError } from "../../providers/errors.js";
import type { ChatRequest } from "../../providers/types.js";
import { AttemptRun } from "./attempt-run.js";
import type { Balancer } from "../health/balancer.js";
import { CandidateQueue } from "./candidates.js";
import type { NextPick } from "./candidates.js";
import type { Clock, Random } from "../clock.js";
import type { Skip } from "../health/deployment.js";
import { budgetTokens } from "../routing/estimate.js";
import { hedgeDelayMs, hedgeDueIn } from "./hedge.js";
import { failure } from "./outcome.js";
import type { StopReason } from "./outcome.js";
import type { Plan } from "../routing/router.js";
import type { Scope } from "../scope.js";
import type { GatewayObserver } from "../observer.js";
import type { FinishRequest } from "./request.js";
import type { AttemptRecord, GatewayRequest } from "../types.js";
import { GatewayError } from "../types.js";
import { waitFor } from "./wait.js";

/** What the loop is built from. */
export interface FailoverDeps {
  readonly config: GatewayConfig;
  readonly adapters: ReadonlyMap<string, ProviderAdapter>;
  readonly balancer: Balancer;
  readonly clock: Clock;
  readonly random: Random;
  readonly observer: GatewayObserver;
  /** Ends a request: ledger rows, key limits, observers. */
  readonly finish: FinishRequest;
}

/** How a launched attempt ended before the race was decided: answered (ok) or not. */
export type Settled<A> = { readonly ok: true; readonly value: A } | { readonly ok: false };

/** One request for the loop. */
export interface FailoverRequest<A> {
  readonly request: GatewayRequest;
  /** The caller's tracing context, for the observers. */
  readonly trace: unknown;
  readonly plan: Plan;
  readonly chat: ChatRequest;
  readonly stream: boolean;
  /** The request's scope (client signal and deadline). */
  readonly scope: Scope;
  /** The request deadline, monotonic ms. */
  readonly deadlineMono: number;
  /** Each attempt's own timeout (unary); undefined for none (streams use first-token and idle timers). */
  readonly attemptTimeoutMs: number | undefined;
  /** Told the list of runs as soon as it exists, so the caller can account for them however the loop ends. */
  readonly onRuns?: (runs: readonly AttemptRun[]) => void;
  /** Starts the call of a run; settles when it answered (unary: the result; stream: the first token) or failed, never rejects. */
  readonly launch: (run: AttemptRun) => Promise<Settled<A>>;
}

/** The attempt that answered first, and every run of the request in start order. */
export interface Won<A> {
  readonly run: AttemptRun;
  readonly value: A;
  readonly runs: readonly AttemptRun[];
}

type Raced<A> = { readonly run: AttemptRun; readonly settled: Settled<A> };

/** The closed records of runs, in start order. */
export function recordsOf(runs: readonly AttemptRun[]): AttemptRecord[] {
  return runs.map((r) => r.record).filter((r): r is AttemptRecord => r !== undefined);
}

/** Runs the loop until an attempt answers; throws the GatewayError of the request otherwise. */
export async function runFailover<A>(deps: FailoverDeps, req: FailoverRequest<A>): Promise<Won<A>> {
  const { config, balancer, clock } = deps;
  const queue = new CandidateQueue(req.plan.candidates, balancer, (m) => budgetTokens(req.chat, m), config.failover, deps.random);
  const runs: AttemptRun[] = [];
  req.onRuns?.(runs);
  const running = new Map<AttemptRun, Promise<Raced<A>>>();
  let fatal: ProviderError | undefined;
  /** The attempt that failed last: the next one (not a hedge) retries its deployment or fails over from it. */
  let lastFailed: AttemptRun | undefined;
  let hedgeBlocked = false;

  const start = (pick: Extract<NextPick, { kind: "call" }>, hedge: boolean): void => {
    const adapter = deps.adapters.get(pick.model.provider);
    if (!adapter) {
      balancer.finish(pick.ticket, { errorKind: "invalid_response", neutral: true, retryAfterMs: undefined, usage: {}, stream: req.stream, firstAnswerMs: undefined });
      throw new GatewayError("internal", `no adapter for provider ${pick.model.provider}`);
    }
    const remaining = req.deadlineMono - clock.monotonic();
    const previous = runs[runs.length - 1];
    // A hedge answers slowness, not a failure: it is neither a retry nor a failover.
    const after = hedge ? undefined : lastFailed;
    const failover = after !== undefined && after.model.name !== pick.model.name;
    const retry = after !== undefined && !failover;
    if (hedge && previous) deps.observer.hedgeStarted(req.trace, previous.model.name, pick.model.name, clock.monotonic() - previous.start.startedMono);
    else if (failover) deps.observer.failover(req.trace, after.model.name, pick.model.name, after.error?.kind ?? "failed");
    else if (retry) deps.observer.retry?.(req.trace, pick.model.name, after.error?.kind ?? "failed");
    const onClose = deps.observer.attemptStarted({
      request: req.request,
      trace: req.trace,
      number: runs.length + 1,
      model: pick.model,
      providerHost: adapter.host,
      route: req.plan.route?.name,
      strategy: req.plan.route?.strategy,
      hedge,
      failover,
      retry,
      streamed: req.stream,
      breakerState: balancer.deployment(pick.model.name)?.breaker.state(clock.monotonic()) ?? "closed",
    });
    const run = new AttemptRun(deps, {
      number: runs.length + 1,
      model: pick.model,
      adapter,
      ticket: pick.ticket,
      hedge,
      failover,
      retry,
      parent: req.scope,
      timeoutMs: req.attemptTimeoutMs === undefined ? undefined : Math.min(req.attemptTimeoutMs, remaining),
      stream: req.stream,
      chat: req.chat,
      onClose,
    });
    runs.push(run);
    running.set(
      run,
      req.launch(run).then((settled) => ({ run, settled })),
    );
  };

  try {
    for (;;) {
      if (running.size === 0) {
        // A call refused by a full pool was never sent: it does not use up an attempt.
        const stop = stopReason(req.scope, fatal, runs.filter((r) => r.error?.kind !== "queue_full").length, config.failover.maxAttempts);
        if (stop) throw failure(stop, recordsOf(runs), [], clock.monotonic(), retryDelayMs(deps, req));
        const pick = await waitForPick(deps, queue, req, runs);
        if (pick.kind !== "call") throw failure(pick.stop, recordsOf(runs), pick.skips, clock.monotonic(), retryDelayMs(deps, req));
        start(pick, false);
        hedgeBlocked = false;
      }
      const hedgeIn: number | undefined = hedgeBlocked ? undefined : hedgeTimer(req.plan.route?.hedge, running, runs.length, config.failover.maxAttempts, deps, req.stream);
      const next: Raced<A> | "hedge" | "aborted" = await raceNext(running, hedgeIn, req.scope);
      if (next === "hedge") {
        // A hedge answers a slow first token; a run that has answered (a held JSON stream still generating) is not slow.
        const answering = [...running.keys()].some((r) => r.ttftMono !== undefined);
        const pick = answering ? undefined : queue.next(clock.monotonic());
        if (pick?.kind === "call" && !req.scope.aborted) {
          // A hedge is due now: it goes, and is counted against the limits replicas share without waiting for them.
          balancer.takeShared(pick.ticket);
          start(pick, true);
        } else hedgeBlocked = true;
        continue;
      }
      if (next === "aborted") {
        // Close the runs now rather than trusting every adapter to honour the signal promptly.
        const cause = req.scope.cause === "client" ? "client" : "deadline";
        for (const run of running.keys()) run.abort(cause);
        running.clear();
        continue;
      }
      running.delete(next.run);
      if (next.settled.ok) {
        queue.released(next.run.model.name);
        for (const other of running.keys()) other.abort("hedge_lost");
        running.clear();
        return { run: next.run, value: next.settled.value, runs };
      }
      const error: ProviderError | undefined = next.run.error;
      lastFailed = next.run;
      if (error) {
        queue.failed(next.run.model.name, error, clock.monotonic());
        if (!isRetryable(error.kind)) fatal ??= error;
      }
      // A run still going may be hedged again; not once the request is known to be invalid.
      hedgeBlocked = fatal !== undefined;
    }
  } finally {
    for (const other of running.keys()) other.abort(req.scope.cause === "client" ? "client" : "hedge_lost");
  }
}

function stopReason(scope: Scope, fatal: ProviderError | undefined, started: number, maxAttempts: number): StopReason | undefined {
  if (scope.cause === "client") return "cancelled";
  if (scope.cause === "deadline") return "deadline";
  if (fatal) return "not_retryable";
  if (started >= maxAttempts) return "exhausted";
  return undefined;
}

/** How long until a candidate held back by a 429 cooldown or an exhausted limit may be called again, ms; undefined when none is. */
function retryDelayMs<A>(deps: FailoverDeps, req: FailoverRequest<A>): number | undefined {
  const now = deps.clock.monotonic();
  let soonest = Infinity;
  for (const m of req.plan.candidates) soonest = Math.min(soonest, deps.balancer.limitedUntil(m.name, budgetTokens(req.chat, m)) ?? Infinity);
  return soonest === Infinity ? undefined : Math.max(0, Math.ceil(soonest - now));
}

type PickOrStop = Extract<NextPick, { kind: "call" }> | { readonly kind: "stop"; readonly stop: StopReason; readonly skips: readonly Skip[] };

/** Picks the next candidate, waiting (bounded by maxWaitMs and the deadline) for one to become ready. */
async function waitForPick<A>(deps: FailoverDeps, queue: CandidateQueue, req: FailoverRequest<A>, runs: readonly AttemptRun[]): Promise<PickOrStop> {
  const { clock, balancer } = deps;
  const limit = Math.min(req.deadlineMono, clock.monotonic() + deps.config.failover.maxWaitMs);
  for (;;) {
    const now = clock.monotonic();
    const pick = queue.next(now);
    if (pick.kind === "call") {
      const confirmed = balancer.confirm(pick.ticket);
      if (confirmed === true || (await confirmed)) return pick;
      // The limits replicas share refused it: the deployment is held back here now, so the queue picks again.
      queue.released(pick.model.name);
      continue;
    }
    const endStop = (): StopReason => {
      if (recordsOf(runs).some((r) => r.errorKind === "context_too_long") && !queue.hasCandidates) return "too_long";
      return runs.length === 0 ? "no_candidate" : "exhausted";
    };
    if (pick.kind === "none") return { kind: "stop", stop: endStop(), skips: pick.skips };
    const onlyProbe = pick.skips.some((s) => s.readyAt === undefined);
    if (now >= limit || (pick.readyAt !== undefined && pick.readyAt > limit && !onlyProbe) || (pick.readyAt === undefined && !onlyProbe)) {
      return { kind: "stop", stop: endStop(), skips: pick.skips };
    }
    const change = balancer.changed();
    const end = await waitFor(Math.min(pick.readyAt ?? limit, limit) - now, req.scope, change.promise);
    change.cancel();
    if (end === "aborted") return { kind: "stop", stop: req.scope.cause === "client" ? "cancelled" : "deadline", skips: pick.skips };
  }
}

/** Milliseconds until a hedge is due, or undefined when no hedge applies now. */
function hedgeTimer(
  hedge: HedgeConfig | undefined,
  running: ReadonlyMap<AttemptRun, unknown>,
  started: number,
  maxAttempts: number,
  deps: FailoverDeps,
  stream: boolean,
): number | undefined {
  if (!hedge || running.size !== 1 || started >= maxAttempts) return undefined;
  const [run] = running.keys();
  if (!run) return undefined;
  const delay = hedgeDelayMs(hedge, deps.balancer.deployment(run.model.name)?.stats, stream);
  return hedgeDueIn(delay, run.start.startedMono, deps.clock.monotonic());
}

/**
 * Waits for the first run to settle, the hedge timer, or the request's abort: one scope listener and at most
 * one timer, and no AbortController (creating and aborting one per request cost about 20 µs on Node 20).
 */
async function raceNext<A>(running: ReadonlyMap<AttemptRun, Promise<Raced<A>>>, hedgeIn: number | undefined, scope: Scope): Promise<Raced<A> | "hedge" | "aborted"> {
  if (scope.aborted) return "aborted";
  let unlisten: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const stop = new Promise<"hedge" | "aborted">((resolve) => {
    unlisten = scope.onAbort(() => resolve("aborted"));
    if (hedgeIn !== undefined) timer = setTimeout(() => resolve("hedge"), Math.max(0, hedgeIn));
  });
  try {
    return await Promise.race([...running.values(), stop]);
  } finally {
    unlisten?.();
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** A streamed completion: silent failover (and hedging) until the first output, then committed to one provider. */
import { ProviderError } from "../../providers/errors.js";
import type { StreamEvent } from "../../providers/types.js";
import { checkAnswer, holdsText } from "../answer/answer-check.js";
import { Assembly } from "../answer/assembly.js";
import { upstreamCall } from "./attempt.js";
import type { AttemptRun } from "./attempt-run.js";
import { recordsOf, runFailover } from "./failover.js";
import type { FailoverDeps, Settled } from "./failover.js";
import { failure } from "./outcome.js";
import { answerBytes, OutputBound, outputLimit, tooLargeMessage } from "./output-bound.js";
import type { OutputProblem } from "./output-bound.js";
import type { RequestSetup } from "./request.js";
import { completionOutcome } from "./request.js";
import type { RequestEnd } from "../observer.js";
import { endRequest } from "./request.js";
import type { GatewayStreamEvent } from "../types.js";
import { GatewayError } from "../types.js";

/** A stream that has produced its first output (or, when held for a check, its whole answer). */
interface StreamHead {
  readonly iterator: AsyncIterator<StreamEvent>;
  readonly assembly: Assembly;
  /** Output read before the commit, to send first, in order. */
  readonly pending: GatewayStreamEvent[];
  readonly done: boolean;
  /** Counts the output against max_tokens and the answer size, through the commit. */
  readonly bound: OutputBound;
  /** Set when a held answer passed the answer size: its bytes so far (the upstream is stopped, nothing is sent). */
  readonly tooLarge?: number;
}

/** The client's view of an output event (tool-call signatures stay in the summary); undefined for bookkeeping events. */
function toClient(ev: StreamEvent): GatewayStreamEvent | undefined {
  if (ev.type === "delta" || ev.type === "reasoning") return { type: ev.type, text: ev.text };
  if (ev.type === "tool_call") {
    const { index, id, name, arguments: args } = ev.delta;
    return { type: "tool_call", delta: { index, arguments: args, ...(id ? { id } : {}), ...(name ? { name } : {}) } };
  }
  return undefined;
}

/** What the core saw of an output event, for the usage estimate of an attempt that reports none. */
function seen(run: AttemptRun, ev: StreamEvent): void {
  if (ev.type === "delta" || ev.type === "reasoning" || ev.type === "refusal") run.saw(ev.text);
  else if (ev.type === "tool_call") run.saw(ev.delta.arguments);
}

/**
 * Starts a streamed attempt and reads it up to its first output, under the first-token timeout. When the request's
 * answer must be checked before it is sent (JSON, a schema), it reads the whole answer, each event under the idle
 * timeout, and checks it: an answer that fails the check fails the attempt, which fails over like any other fault.
 */
function launchStream(setup: RequestSetup, firstTokenTimeoutMs: number, idleMs: number, maxBytes: number): (run: AttemptRun) => Promise<Settled<StreamHead>> {
  const hold = holdsText(setup.req.chat);
  return async (run) => {
    const bound = new OutputBound(outputLimit(setup.req.chat, run.model), maxBytes, hold);
    let disarm = noop;
    // The first-token timer starts when the request is on the wire, not while it waits for a pool connection.
    let waiting = true;
    const onWire = (): void => {
      if (waiting) disarm = run.scope.arm(firstTokenTimeoutMs, "first_token_timeout");
    };
    try {
      const it = run.adapter.stream(upstreamCall(run.model, setup.req.chat), run.callOptions(onWire))[Symbol.asyncIterator]();
      run.onAbort(() => void it.return?.().catch(() => undefined));
      const assembly = new Assembly(hold);
      const pending: GatewayStreamEvent[] = [];
      let output = false;
      for (;;) {
        const r = await it.next();
        if (r.done) break;
        const ev = r.value;
        if (ev.type === "usage") run.usage = ev.usage;
        const problem = bound.add(ev);
        if (problem?.kind === "past_max_tokens") throw pastMaxTokens(problem, run);
        if (problem?.kind === "too_large") {
          // The held answer cannot be sent whoever answers it: it wins, stopped, and ends the request (see streamCompletion).
          void it.return?.().catch(() => undefined);
          return { ok: true, value: { iterator: it, assembly, pending: [], done: true, bound, tooLarge: problem.bytes } };
        }
        if (!assembly.add(ev)) {
          // A finished reasoning block is not output (it does not commit the stream), but goes out in its place.
          if (ev.type === "reasoning_block") pending.push({ type: "reasoning_block", block: ev.block });
          continue;
        }
        if (!output) {
          output = true;
          run.firstToken();
          waiting = false;
          disarm();
          disarm = hold ? run.scope.arm(idleMs, "idle_timeout") : noop;
        } else {
          disarm();
          disarm = run.scope.arm(idleMs, "idle_timeout");
        }
        seen(run, ev);
        const out = toClient(ev);
        if (out) pending.push(out);
        if (!hold) return { ok: true, value: { iterator: it, assembly, pending, done: false, bound } };
      }
      if (!hold) return { ok: true, value: { iterator: it, assembly, pending, done: true, bound } };
      const verdict = checkAnswer(setup.req.chat, assembly.answer());
      if (verdict.problem !== undefined) throw new ProviderError({ kind: "invalid_response", reason: verdict.problem, usage: run.usage });
      // Passed without the nulls a strict mode added: what is sent is the answer without them.
      const sent = verdict.text !== undefined || verdict.toolCalls !== undefined ? assembly.replace(verdict.text, verdict.toolCalls, pending) : pending;
      return { ok: true, value: { iterator: it, assembly, pending: sent, done: true, bound } };
    } catch (err) {
      run.fail(err);
      return { ok: false };
    } finally {
      waiting = false;
      disarm();
    }
  };
}

function noop(): void {}

/** The failure of an attempt that streamed past its max_tokens: the provider's fault, billed as reported so far. */
function pastMaxTokens(problem: Extract<OutputProblem, { kind: "past_max_tokens" }>, run: AttemptRun): ProviderError {
  return new ProviderError({ kind: "invalid_response", reason: problem.reason, usage: run.usage });
}

/**
 * Ends an attempt whose answer is over the size limit: the upstream stopped, the attempt closed (billed as
 * reported or estimated, and neutral to the provider's health: the answer is not at fault, the limit is), and
 * the request's RESOURCE_EXHAUSTED naming the size and the limit.
 */
function tooLarge(run: AttemptRun, iterator: AsyncIterator<StreamEvent>, bytes: number, limit: number, runs: readonly AttemptRun[]): GatewayError {
  run.fail(new ProviderError({ kind: "cancelled", reason: `answer over server.maxResponseBytes (${limit} bytes)`, usage: run.usage }));
  void iterator.return?.().catch(() => undefined);
  return new GatewayError("resource_exhausted", tooLargeMessage(bytes, limit), recordsOf(runs));
}

/** Serves a streamed request; after the first output a failure or stall ends the stream with UNAVAILABLE, never cleanly. */
export async function* streamCompletion(deps: FailoverDeps, setup: RequestSetup): AsyncGenerator<GatewayStreamEvent> {
  const { req, plan, scope } = setup;
  const { firstTokenTimeoutMs, streamIdleMs } = deps.config.failover;
  const maxBytes = deps.config.bounds.maxResponseBytes;
  let committed: AttemptRun | undefined;
  let runs: readonly AttemptRun[] = [];
  let outcome: RequestEnd["outcome"] = "cancelled";
  let ended = false;
  try {
    const won = await runFailover(deps, {
      request: req,
      trace: setup.ctx.trace,
      onRuns: (r) => (runs = r),
      plan,
      chat: req.chat,
      stream: true,
      scope,
      deadlineMono: setup.deadlineMono,
      attemptTimeoutMs: undefined,
      launch: launchStream(setup, firstTokenTimeoutMs, streamIdleMs, maxBytes),
    });
    const run = won.run;
    committed = run;
    // Committed: a long generation is bounded by the idle timeout, not by the default request deadline.
    setup.liftDefaultDeadline();
    const head = won.value;
    const { assembly, bound } = head;
    if (head.tooLarge !== undefined) throw tooLarge(run, head.iterator, head.tooLarge, maxBytes, won.runs);
    for (const ev of head.pending) yield ev;
    if (!head.done) {
      for (;;) {
        const disarm = run.scope.arm(streamIdleMs, "idle_timeout");
        let r: IteratorResult<StreamEvent>;
        try {
          r = await head.iterator.next();
        } catch (err) {
          run.fail(err);
          throw failure(scope.cause === "client" ? "cancelled" : scope.cause === "deadline" ? "deadline" : "interrupted", recordsOf(won.runs));
        } finally {
          disarm();
        }
        if (r.done) break;
        const ev = r.value;
        if (ev.type === "usage") run.usage = ev.usage;
        const problem = bound.add(ev);
        if (problem?.kind === "past_max_tokens") {
          // A provider streaming past what it was asked for (or forever): stopped and failed like any committed-stream fault.
          run.fail(pastMaxTokens(problem, run));
          void head.iterator.return?.().catch(() => undefined);
          throw failure("interrupted", recordsOf(won.runs));
        }
        if (problem?.kind === "too_large") throw tooLarge(run, head.iterator, problem.bytes, maxBytes, won.runs);
        if (!assembly.add(ev)) {
          if (ev.type === "reasoning_block") yield { type: "reasoning_block", block: ev.block };
          continue;
        }
        seen(run, ev);
        const out = toClient(ev);
        if (out) yield out;
      }
    }
    const answer = assembly.answer();
    const usage = run.usage;
    const served = run.succeed(usage, { finishReason: answer.finishReason, responseModel: answer.responseModel });
    outcome = "ok";
    // The summary's text is empty: the text went out as deltas.
    const done = completionOutcome(req, plan, served, usage, recordsOf(won.runs), { ...answer, text: "" });
    // The summary is one message: one over the limit is refused before it leaves (the attempt stays billed).
    const bytes = answerBytes(done, done.attempts.length);
    if (bytes > maxBytes) throw new GatewayError("resource_exhausted", tooLargeMessage(bytes, maxBytes), done.attempts);
    // The summary is the final message: every attempt is durable in the ledger before it is sent.
    ended = true;
    await endRequest(deps, setup, true, recordsOf(runs), outcome);
    yield { type: "done", outcome: done };
  } catch (err) {
    outcome = err instanceof GatewayError ? err.code : "internal";
    throw err;
  } finally {
    // The consumer went away mid-stream (or an error ended it): stop the upstream and close the record.
    if (committed && !committed.record) committed.abort("client");
    scope.dispose();
    if (!ended) await endRequest(deps, setup, true, recordsOf(runs), outcome);
  }
}

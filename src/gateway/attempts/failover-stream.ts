/** A streamed completion: silent failover (and hedging) until the first token, then committed to one provider. */
import type { FinishReason, StreamEvent, Usage } from "../../providers/types.js";
import { upstreamCall } from "./attempt.js";
import type { AttemptRun } from "./attempt-run.js";
import { recordsOf, runFailover } from "./failover.js";
import type { FailoverDeps, Settled } from "./failover.js";
import { failure } from "./outcome.js";
import type { RequestSetup } from "./request.js";
import { completionOutcome } from "./request.js";
import type { RequestEnd } from "../observer.js";
import { endRequest } from "./request.js";
import type { GatewayStreamEvent } from "../types.js";
import { GatewayError } from "../types.js";

/** A stream that has produced its first token (or ended without one). */
interface StreamHead {
  readonly iterator: AsyncIterator<StreamEvent>;
  readonly first: string | undefined;
  readonly done: boolean;
  finish: FinishReason;
  responseModel: string | undefined;
}

/** Starts a streamed attempt and reads it up to its first token, under the first-token timeout. */
function launchStream(setup: RequestSetup, firstTokenTimeoutMs: number): (run: AttemptRun) => Promise<Settled<StreamHead>> {
  return async (run) => {
    const disarm = run.scope.arm(firstTokenTimeoutMs, "first_token_timeout");
    let iterator: AsyncIterator<StreamEvent> | undefined;
    try {
      iterator = run.adapter.stream(upstreamCall(run.model, setup.req.chat), run.callOptions())[Symbol.asyncIterator]();
      const it = iterator;
      run.onAbort(() => void it.return?.().catch(() => undefined));
      const head: Omit<StreamHead, "first" | "done"> = { iterator: it, finish: "unspecified", responseModel: undefined };
      for (;;) {
        const r = await it.next();
        if (r.done) return { ok: true, value: { ...head, first: undefined, done: true } };
        const ev = r.value;
        if (ev.type === "delta") {
          run.firstToken();
          run.saw(ev.text);
          return { ok: true, value: { ...head, first: ev.text, done: false } };
        }
        if (ev.type === "usage") run.usage = ev.usage;
        else if (ev.type === "finish") {
          head.finish = ev.reason;
          head.responseModel = ev.responseModel;
        }
      }
    } catch (err) {
      run.fail(err);
      return { ok: false };
    } finally {
      disarm();
    }
  };
}

/** Serves a streamed request; after the first token a failure or stall ends the stream with UNAVAILABLE, never cleanly. */
export async function* streamCompletion(deps: FailoverDeps, setup: RequestSetup): AsyncGenerator<GatewayStreamEvent> {
  const { req, plan, scope } = setup;
  const { firstTokenTimeoutMs, streamIdleMs } = deps.config.failover;
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
      launch: launchStream(setup, firstTokenTimeoutMs),
    });
    const run = won.run;
    committed = run;
    // Committed: a long generation is bounded by the idle timeout, not by the default request deadline.
    setup.liftDefaultDeadline();
    const head = won.value;
    if (head.first !== undefined) yield { type: "delta", text: head.first };
    let usage: Usage = run.usage;
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
        if (ev.type === "delta") {
          run.saw(ev.text);
          yield { type: "delta", text: ev.text };
        }
        else if (ev.type === "usage") usage = run.usage = ev.usage;
        else if (ev.type === "finish") {
          head.finish = ev.reason;
          head.responseModel = ev.responseModel;
        }
      }
    }
    const served = run.succeed(usage, { finishReason: head.finish, responseModel: head.responseModel });
    outcome = "ok";
    const done = completionOutcome(req, plan, served, usage, recordsOf(won.runs), "", head.finish, head.responseModel);
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

/** A unary completion through the failover loop. */
import { ProviderError } from "../../providers/errors.js";
import type { ChatResult } from "../../providers/types.js";
import { checkAnswer } from "../answer/answer-check.js";
import { upstreamCall } from "./attempt.js";
import type { AttemptRun } from "./attempt-run.js";
import { recordsOf, runFailover } from "./failover.js";
import type { FailoverDeps, Settled, Won } from "./failover.js";
import type { Plan } from "../routing/router.js";
import type { RequestSetup } from "./request.js";
import { completionOutcome } from "./request.js";
import { answerBytes, tooLargeMessage } from "./output-bound.js";
import type { RequestEnd } from "../observer.js";
import { endRequest } from "./request.js";
import type { AttemptRecord, CompletionOutcome } from "../types.js";
import { GatewayError } from "../types.js";

/** Runs a request answered at once (no stream) through the failover loop: the winner, and the record of the attempt that served. */
export async function runUnary<A>(deps: FailoverDeps, setup: RequestSetup, plan: Plan, launch: (run: AttemptRun) => Promise<Settled<A>>, onRuns: (runs: readonly AttemptRun[]) => void): Promise<{ readonly won: Won<A>; readonly served: AttemptRecord }> {
  const { req, scope } = setup;
  const won = await runFailover(deps, {
    request: req,
    trace: setup.ctx.trace,
    plan,
    chat: req.chat,
    stream: false,
    scope,
    deadlineMono: setup.deadlineMono,
    attemptTimeoutMs: deps.config.failover.attemptTimeoutMs,
    launch,
    onRuns,
  });
  const served = won.run.record;
  if (!served) throw new Error("winning attempt has no record");
  return { won, served };
}

/** Serves a unary request: the first attempt to answer wins; losers of a hedge are aborted and recorded. */
export async function completeUnary(deps: FailoverDeps, setup: RequestSetup): Promise<CompletionOutcome> {
  const { req, plan, scope } = setup;
  let runs: readonly AttemptRun[] = [];
  let outcome: RequestEnd["outcome"] = "internal";
  const launch = async (run: AttemptRun): Promise<Settled<ChatResult>> => {
    try {
      const result = await run.adapter.complete(upstreamCall(run.model, req.chat), run.callOptions());
      run.saw(result.text);
      for (const call of result.toolCalls ?? []) run.saw(call.arguments);
      // An answer that is not what the request asked for (JSON, its schema, well-formed tool calls) is the provider's fault.
      const verdict = checkAnswer(req.chat, { text: result.text, toolCalls: result.toolCalls ?? [], refusal: result.refusal, finishReason: result.finishReason });
      if (verdict.problem !== undefined) throw new ProviderError({ kind: "invalid_response", reason: verdict.problem, usage: result.usage });
      run.succeed(result.usage, { finishReason: result.finishReason, responseModel: result.responseModel });
      const changed = verdict.text !== undefined || verdict.toolCalls !== undefined;
      return { ok: true, value: changed ? { ...result, text: verdict.text ?? result.text, toolCalls: verdict.toolCalls ?? result.toolCalls ?? [] } : result };
    } catch (err) {
      run.fail(err);
      return { ok: false };
    }
  };
  try {
    const { won, served } = await runUnary(deps, setup, plan, launch, (r) => (runs = r));
    const r = won.value;
    const toolCalls = r.toolCalls ?? [];
    const done = completionOutcome(req, plan, served, r.usage, recordsOf(won.runs), {
      text: r.text,
      toolCalls,
      refusal: r.refusal,
      reasoning: r.reasoning ?? [],
      finishReason: toolCalls.length > 0 ? "tool_calls" : r.finishReason,
      responseModel: r.responseModel,
    });
    // An answer larger than clients take is refused before it is sent: the attempt stays billed, the request fails.
    const bytes = answerBytes(done, done.attempts.length);
    const limit = deps.config.bounds.maxResponseBytes;
    if (bytes > limit) throw new GatewayError("resource_exhausted", tooLargeMessage(bytes, limit), done.attempts);
    outcome = "ok";
    return done;
  } catch (err) {
    outcome = err instanceof GatewayError ? err.code : "internal";
    throw err;
  } finally {
    scope.dispose();
    // Before the answer (or the error) leaves: the ledger must hold every attempt.
    await endRequest(deps, setup, false, recordsOf(runs), outcome);
  }
}

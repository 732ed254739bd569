/** Per-request setup shared by unary and streams: the plan, the scope with its deadline, and the outcome. */
import type { Usage } from "../../providers/types.js";
import type { Clock } from "../clock.js";
import type { RequestEnd } from "../observer.js";
import type { Plan } from "../routing/router.js";
import { Scope } from "../scope.js";
import type { Answer, AttemptRecord, CallContext, CompletionOutcome, GatewayRequest } from "../types.js";

/** A planned request with its cancellation scope. */
export interface RequestSetup {
  readonly req: GatewayRequest;
  readonly ctx: CallContext;
  /** Wall-clock and monotonic start. */
  readonly startedAt: number;
  readonly startedMono: number;
  readonly plan: Plan;
  /** Aborted by the client ("client") or at the deadline ("deadline"). */
  readonly scope: Scope;
  /** The deadline in monotonic ms. */
  readonly deadlineMono: number;
  /** Lifts the configured default deadline (a stream that committed is then bounded by its idle timeout only). */
  readonly liftDefaultDeadline: () => void;
}

/**
 * The request's scope, a child of the call's, and its monotonic deadline: the client's deadline, which the call's
 * scope carries and enforces, or else the configured default, armed here (and liftable).
 */
export function requestScope(ctx: CallContext, clock: Clock, defaultDeadlineMs: number): { scope: Scope; deadlineMono: number; liftDefaultDeadline: () => void } {
  const scope = new Scope(ctx.scope);
  const deadline = ctx.scope.deadline;
  if (deadline !== undefined) return { scope, deadlineMono: clock.monotonic() + (deadline - clock.now()), liftDefaultDeadline: noop };
  // The client's own deadline always holds; only the configured default may be lifted.
  return { scope, deadlineMono: clock.monotonic() + defaultDeadlineMs, liftDefaultDeadline: scope.arm(defaultDeadlineMs, "deadline") };
}

/** How a request ends: its ledger rows made durable, its key's limits settled, the observers told. */
export type FinishRequest = (end: RequestEnd) => Promise<void>;

/** Ends a planned request through `finish`; resolves once its records are durable. */
export async function endRequest(
  deps: { readonly finish: FinishRequest; readonly clock: Clock },
  setup: RequestSetup,
  streamed: boolean,
  attempts: readonly AttemptRecord[],
  outcome: RequestEnd["outcome"],
): Promise<void> {
  await deps.finish({
    request: setup.req,
    clientKey: setup.ctx.principal?.id,
    route: setup.plan.route?.name,
    streamed,
    attempts,
    outcome,
    startedAt: setup.startedAt,
    totalMs: deps.clock.monotonic() - setup.startedMono,
  });
}

/** The outcome of a served request: the serving attempt's reported usage, the cost of every attempt. */
export function completionOutcome(
  req: GatewayRequest,
  plan: Plan,
  served: AttemptRecord,
  reported: Usage,
  attempts: readonly AttemptRecord[],
  answer: Answer,
): CompletionOutcome {
  return {
    requestId: req.requestId,
    text: answer.text,
    toolCalls: answer.toolCalls,
    refusal: answer.refusal,
    reasoning: answer.reasoning,
    finishReason: answer.finishReason,
    model: served.model,
    provider: served.provider,
    responseModel: answer.responseModel,
    route: plan.route?.name,
    // What the provider reported (bounded when implausible): an estimate is for the ledger, never shown as a report.
    usage: served.usageBasis === "estimated" ? reported : served.usage,
    costPicos: attempts.reduce((sum, a) => sum + a.costPicos, 0n),
    attempts,
  };
}

function noop(): void {}

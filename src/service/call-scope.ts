/**
 * The call's cancellation scope, as the core wants it: made by the edge that owns the call (the server's lean
 * paths arm the client's deadline on it and end it when the client goes away) and handed over in the context
 * values; for any other transport (connect-node, an in-memory one) made here from the handler context's signal.
 */
import { Code, ConnectError, createContextKey } from "@connectrpc/connect";
import type { HandlerContext } from "@connectrpc/connect";
import type { Clock } from "../gateway/clock.js";
import { Scope } from "../gateway/scope.js";

/** The call's scope, when the transport made one. */
export const callScopeKey = createContextKey<Scope | undefined>(undefined, { description: "call scope" });

/**
 * The call's scope: the edge's, else one that follows the handler context's signal, whose transport enforces the
 * deadline (its DEADLINE_EXCEEDED abort is the deadline; a client going away near it counts as the deadline too).
 */
export function callScope(ctx: HandlerContext, clock: Clock): Scope {
  const given = ctx.values.get(callScopeKey);
  if (given) return given;
  const scope = new Scope();
  scope.setDeadline(ctx.timeoutMs(), clock.now(), false);
  const signal = ctx.signal;
  const onAbort = (): void => {
    const reason: unknown = signal.reason;
    if (reason instanceof ConnectError && reason.code === Code.DeadlineExceeded) scope.abort("deadline");
    else scope.clientGone(clock.now());
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  return scope;
}

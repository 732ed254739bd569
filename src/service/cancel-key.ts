/** The context value through which a fast path hands the call's cancellation to the handlers without an AbortSignal. */
import { createContextKey } from "@connectrpc/connect";

/** A call's cancellation as a listener list: what the handler context's signal says, for a fraction of its cost. */
export interface CallCancel {
  readonly aborted: boolean;
  /** Why it aborted (a ConnectError: CANCELED or DEADLINE_EXCEEDED); undefined before. */
  readonly reason: unknown;
  /** Calls `fn` once on abort; returns a function that unregisters it. */
  onAbort(fn: () => void): () => void;
}

/** The call's cancellation, when the transport offers one; else handlers use the context's signal. */
export const callCancelKey = createContextKey<CallCancel | undefined>(undefined, { description: "call cancellation" });

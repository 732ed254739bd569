/** A request's cancellation scope: the client's signal joined with the request deadline. */

/** Why a scope or an attempt was aborted. */
export type AbortCause = "client" | "deadline" | "attempt_timeout" | "first_token_timeout" | "idle_timeout" | "hedge_lost";

/** An AbortController that remembers why it fired. */
export class Scope {
  readonly controller = new AbortController();
  #cause: AbortCause | undefined;
  readonly #cleanups: Array<() => void> = [];
  readonly #timers = new Set<NodeJS.Timeout>();

  /** A scope aborted when `parent` aborts (cause inherited or "client") or after `timeoutMs`. */
  constructor(parent: AbortSignal | Scope | undefined, timeoutMs: number | undefined, timeoutCause: AbortCause) {
    const parentSignal = parent instanceof Scope ? parent.signal : parent;
    if (parentSignal) {
      const onAbort = (): void => this.abort(parent instanceof Scope ? (parent.cause ?? "client") : "client");
      if (parentSignal.aborted) onAbort();
      else {
        parentSignal.addEventListener("abort", onAbort, { once: true });
        this.#cleanups.push(() => parentSignal.removeEventListener("abort", onAbort));
      }
    }
    if (timeoutMs !== undefined) {
      const timer = setTimeout(() => this.abort(timeoutCause), Math.max(0, timeoutMs));
      this.#cleanups.push(() => clearTimeout(timer));
    }
  }

  /** The signal to pass down. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why it was aborted, if it was. */
  get cause(): AbortCause | undefined {
    return this.#cause;
  }

  /** Aborts with a cause (the first cause wins). */
  abort(cause: AbortCause): void {
    if (this.#cause !== undefined) return;
    this.#cause = cause;
    this.controller.abort(new Error(cause));
  }

  /** Adds a timer that aborts this scope with `cause` (cleared by dispose too); returns a function that cancels it. */
  arm(ms: number, cause: AbortCause): () => void {
    const timer = setTimeout(() => this.abort(cause), Math.max(0, ms));
    this.#timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.#timers.delete(timer);
    };
  }

  /** Removes listeners and timers. */
  dispose(): void {
    for (const c of this.#cleanups) c();
    this.#cleanups.length = 0;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}

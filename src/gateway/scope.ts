/**
 * A request's or an attempt's cancellation scope: the client's signal joined with deadlines and timers.
 * Scopes tell each other (and the attempt loop) through plain listener lists; an AbortSignal is made only
 * for whoever asks for one (the provider call). On Node 20 a controller costs about 3 µs, an EventTarget
 * listener about 5 µs to add and remove, and an abort about 12 µs (a DOMException with a stack).
 */

import type { Abortable } from "./wait.js";

/** Why a scope or an attempt was aborted. */
export type AbortCause = "client" | "deadline" | "attempt_timeout" | "first_token_timeout" | "idle_timeout" | "hedge_lost";

/** A cancellation scope that remembers why it fired. */
export class Scope {
  #cause: AbortCause | undefined;
  #controller: AbortController | undefined;
  #listeners: Array<(cause: AbortCause) => void> = [];
  readonly #cleanups: Array<() => void> = [];
  readonly #timers = new Set<NodeJS.Timeout>();

  /**
   * A scope aborted when `parent` aborts (a parent scope's cause inherited, "client" for anything else) or after
   * `timeoutMs`. A listener-list parent (a call's cancellation, a scope) costs far less than an AbortSignal.
   */
  constructor(parent: AbortSignal | Abortable | Scope | undefined, timeoutMs: number | undefined, timeoutCause: AbortCause) {
    if (parent instanceof Scope) {
      this.#cleanups.push(parent.onAbort((cause) => this.abort(cause)));
    } else if (parent instanceof AbortSignal) {
      const onAbort = (): void => this.abort("client");
      if (parent.aborted) onAbort();
      else {
        parent.addEventListener("abort", onAbort, { once: true });
        this.#cleanups.push(() => parent.removeEventListener("abort", onAbort));
      }
    } else if (parent) {
      if (parent.aborted) this.abort("client");
      else this.#cleanups.push(parent.onAbort(() => this.abort("client")));
    }
    if (timeoutMs !== undefined && this.#cause === undefined) {
      const timer = setTimeout(() => this.abort(timeoutCause), Math.max(0, timeoutMs));
      this.#cleanups.push(() => clearTimeout(timer));
    }
  }

  /** An AbortSignal that fires with this scope (made on first use). */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#cause !== undefined) this.#controller.abort(new Error(this.#cause));
    }
    return this.#controller.signal;
  }

  /** True once aborted. */
  get aborted(): boolean {
    return this.#cause !== undefined;
  }

  /** Why it was aborted, if it was. */
  get cause(): AbortCause | undefined {
    return this.#cause;
  }

  /** Calls `fn` once when the scope aborts (at once when it already has); returns a function that unregisters it. */
  onAbort(fn: (cause: AbortCause) => void): () => void {
    if (this.#cause !== undefined) {
      fn(this.#cause);
      return noop;
    }
    this.#listeners.push(fn);
    return () => {
      const i = this.#listeners.indexOf(fn);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /** Aborts with a cause (the first cause wins). */
  abort(cause: AbortCause): void {
    if (this.#cause !== undefined) return;
    this.#cause = cause;
    this.#controller?.abort(new Error(cause));
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const fn of listeners) fn(cause);
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

function noop(): void {}

/** A context manager without async propagation: `with` holds a context for the synchronous call only. */
import { ROOT_CONTEXT } from "@opentelemetry/api";
import type { Context, ContextManager } from "@opentelemetry/api";

/**
 * The gateway passes trace contexts explicitly, so it needs no AsyncLocalStorage (whose promise hooks cost
 * every await on Node 20). This keeps `context.with` meaningful for synchronous code, such as an exporter
 * suppressing tracing around its own send.
 */
export class SyncContextManager implements ContextManager {
  #current: Context = ROOT_CONTEXT;

  /** The context of the synchronous `with` call in progress, else the root context. */
  active(): Context {
    return this.#current;
  }

  /** Runs `fn` with `ctx` active, restoring the previous context afterwards. */
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const previous = this.#current;
    this.#current = ctx;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.#current = previous;
    }
  }

  /** Binding would need async propagation: targets are returned unchanged. */
  bind<T>(_context: Context, target: T): T {
    return target;
  }

  /** Nothing to set up. */
  enable(): this {
    return this;
  }

  /** Forgets the active context. */
  disable(): this {
    this.#current = ROOT_CONTEXT;
    return this;
  }
}

/** Cancellable waiting: a timer, a scope's abort and an optional wake-up, whichever comes first. */
import type { Scope } from "../scope.js";

/** How a wait ended. */
export type WaitEnd = "timer" | "aborted" | "woken";

/** Waits `ms` (undefined: no timer), until `scope` aborts, or until `wake` resolves. */
export function waitFor(ms: number | undefined, scope: Scope, wake?: Promise<void>): Promise<WaitEnd> {
  if (scope.aborted) return Promise.resolve("aborted");
  return new Promise<WaitEnd>((resolve) => {
    let done = false;
    const finish = (end: WaitEnd): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      unlisten();
      resolve(end);
    };
    const timer = ms === undefined ? undefined : setTimeout(() => finish("timer"), Math.max(0, ms));
    const unlisten = scope.onAbort(() => finish("aborted"));
    wake?.then(() => finish("woken"));
  });
}

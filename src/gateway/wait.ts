/** Cancellable waiting: a timer, an abort signal and an optional wake-up, whichever comes first. */

/** How a wait ended. */
export type WaitEnd = "timer" | "aborted" | "woken";

/** Waits `ms` (undefined: no timer), until `signal` aborts, or until `wake` resolves. */
export function waitFor(ms: number | undefined, signal: AbortSignal, wake?: Promise<void>): Promise<WaitEnd> {
  if (signal.aborted) return Promise.resolve("aborted");
  return new Promise<WaitEnd>((resolve) => {
    let done = false;
    const finish = (end: WaitEnd): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(end);
    };
    const onAbort = (): void => finish("aborted");
    const timer = ms === undefined ? undefined : setTimeout(() => finish("timer"), Math.max(0, ms));
    signal.addEventListener("abort", onAbort, { once: true });
    wake?.then(() => finish("woken"));
  });
}

/** A count of work in flight that can be waited on until it drains: the gateway's requests, the server's calls. */

/** Counts entries and exits; `idle()` resolves when the count is back to zero. */
export class InFlight {
  #count = 0;
  #waiters: Array<() => void> = [];

  /** Work in flight now. */
  get count(): number {
    return this.#count;
  }

  /** One more in flight. */
  enter(): void {
    this.#count++;
  }

  /** One fewer; wakes the waiters when none is left. */
  leave(): void {
    this.#count--;
    if (this.#count === 0) for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Resolves true once nothing is in flight, or false after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.#count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Resolves once nothing is in flight, however long that takes (holds no timer). */
  drained(): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

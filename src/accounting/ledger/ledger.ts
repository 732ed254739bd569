/**
 * The ledger as the gateway uses it: record() with group commit over a LedgerStore. Calls made
 * within the same turn of the event loop (or until `maxBatch` rows wait) share one transaction;
 * each call's promise resolves only after its rows are durable: committed, or, when the store
 * fails, written to the spill journal (ledger-fallback.ts) to be replayed into the store later.
 * Every call of a batch that neither took is rejected. Batches are written one at a time, in call order.
 */
import type { LedgerRecord } from "./ledger-record.js";
import { recordProblem } from "./ledger-record.js";
import type { AggregateQuery, GroupAggregate, LedgerStore } from "./ledger-store.js";
import { LedgerFallback } from "./ledger-fallback.js";
import type { FallbackOptions, LedgerState, LedgerStateChange, Recovery } from "./ledger-state.js";
import type { SpillJournal } from "./spill.js";

/**
 * Called with each durable batch (committed or spilled), before the batch's record() promises resolve, and never
 * again for the same rows (a replay of the spill is not told); must not throw.
 */
export type CommitListener = (rows: readonly LedgerRecord[]) => void;

/** Tuning of the group commit, and where batches go when the store fails. */
export interface LedgerOptions extends FallbackOptions {
  /** Write at once, without waiting for the end of the turn, when this many rows wait. Default 512. */
  readonly maxBatch?: number;
  /** The spill journal; without one, a batch the store fails is rejected. */
  readonly spill?: SpillJournal | undefined;
}

interface PendingCall {
  readonly rows: readonly LedgerRecord[];
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/** Group-committing front of a LedgerStore. */
export class Ledger {
  readonly #store: LedgerStore;
  readonly #maxBatch: number;
  readonly #listeners = new Set<CommitListener>();
  readonly #fallback: LedgerFallback;
  #calls: PendingCall[] = [];
  #waitingRows = 0;
  #scheduled = false;
  #writing = false;
  #closed = false;

  constructor(store: LedgerStore, options: LedgerOptions = {}) {
    this.#store = store;
    this.#maxBatch = options.maxBatch ?? 512;
    this.#fallback = new LedgerFallback(store, options.spill, (rows) => this.#notify(rows), options);
  }

  /** Whether rows are being stored ("ok"), spilled ("spilling") or neither ("down": requests must be refused). */
  get state(): LedgerState {
    return this.#fallback.state;
  }

  /** Registers a listener of state changes (it must not throw); returns its removal. */
  onState(listener: (change: LedgerStateChange) => void): () => void {
    return this.#fallback.onChange(listener);
  }

  /** Replays a spill journal left by an earlier run into the store: call once, before recording and before budgets are loaded. */
  recover(): Promise<Recovery> {
    return this.#fallback.recover();
  }

  /** Tries the store again now (as the probe timer does while not "ok"). */
  probe(): Promise<void> {
    return this.#fallback.probe();
  }

  /**
   * Resolves once every row is durable (committed, or spilled while the store fails); rejects, storing none of
   * them, when a row is invalid, or with LedgerUnavailableError when neither the store nor the spill took them.
   */
  record(rows: readonly LedgerRecord[]): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("ledger is closed"));
    for (const r of rows) {
      const problem = recordProblem(r);
      if (problem) return Promise.reject(new Error(`invalid ledger record for request ${r.requestId}: ${problem}`));
    }
    if (rows.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#calls.push({ rows, resolve, reject });
      this.#waitingRows += rows.length;
      this.#schedule();
    });
  }

  /** Registers a listener of committed rows (e.g. a BudgetGuard); returns its removal. */
  onCommit(listener: CommitListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Aggregates committed rows (see LedgerStore.aggregate). */
  aggregate(query: AggregateQuery): Promise<readonly GroupAggregate[]> {
    return this.#store.aggregate(query);
  }

  /** Deletes rows older than `beforeMs`; resolves with how many. */
  prune(beforeMs: number): Promise<number> {
    return this.#store.prune(beforeMs);
  }

  /** Resolves when everything recorded before this call has been written or has failed. */
  flush(): Promise<void> {
    if (this.#calls.length === 0 && !this.#writing) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#calls.push({ rows: [], resolve, reject: () => resolve() });
      this.#schedule();
    });
  }

  /** Writes what is pending, refuses new records, tries a last replay of the spill, and closes the store. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    await this.#fallback.close();
    await this.#store.close();
  }

  #schedule(): void {
    if (this.#writing) return; // the running write loop takes the new calls next
    if (this.#waitingRows >= this.#maxBatch) {
      void this.#drain();
      return;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    try {
      while (this.#calls.length > 0) {
        const calls = this.#calls;
        this.#calls = [];
        this.#waitingRows = 0;
        await this.#write(calls);
      }
    } finally {
      this.#writing = false;
    }
  }

  async #write(calls: readonly PendingCall[]): Promise<void> {
    const rows = calls.flatMap((c) => c.rows);
    try {
      if (rows.length > 0) await this.#fallback.write(rows);
    } catch (err) {
      for (const c of calls) c.reject(err);
      return;
    }
    for (const c of calls) c.resolve();
  }

  #notify(rows: readonly LedgerRecord[]): void {
    for (const listener of this.#listeners) {
      try {
        listener(rows);
      } catch {
        // A listener's failure must not turn a durable write into a rejected one.
      }
    }
  }
}

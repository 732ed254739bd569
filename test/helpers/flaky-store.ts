/** A ledger store that fails on demand, for tests of what the ledger does when its disk does. */
import type { LedgerRecord } from "../../src/accounting/ledger/ledger-record.js";
import type { AggregateQuery, GroupAggregate, LedgerStore } from "../../src/accounting/ledger/ledger-store.js";
import { SqliteLedgerStore } from "../../src/accounting/ledger/sqlite-ledger.js";
import { ROWS_T0, rowsQuery } from "./ledger-row.js";

/** An in-memory SQLite store that fails on demand: before writing (a full disk), or after committing (a writer that died, commit unknown). */
export class FlakyStore implements LedgerStore {
  /** ok; fail before writing (a full disk); commit, then fail (a writer that died: commit unknown). */
  mode: "ok" | "fail" | "commit-then-fail" = "ok";
  /** Calls of append so far. */
  appends = 0;
  readonly #inner = SqliteLedgerStore.open({ path: ":memory:", now: () => ROWS_T0 });

  /** Appends to the in-memory store, failing as `mode` says. */
  async append(rows: readonly LedgerRecord[]): Promise<void> {
    this.appends++;
    if (this.mode === "fail") throw new Error("SQLITE_FULL: database or disk is full");
    await this.#inner.append(rows);
    if (this.mode === "commit-then-fail") throw new Error("the usage ledger writer stopped; whether it committed the rows it was sent is unknown");
  }
  /** Aggregates what was stored. */
  aggregate(q: AggregateQuery): Promise<readonly GroupAggregate[]> {
    return this.#inner.aggregate(q);
  }
  /** Prunes what was stored. */
  prune(beforeMs: number): Promise<number> {
    return this.#inner.prune(beforeMs);
  }
  /** Does nothing: kept open, so that a test can read what was stored after the ledger is closed. */
  async close(): Promise<void> {
    // Kept open, so that a test can read what was stored after the ledger is closed.
  }
  /** [attempt rows, requests, successes, failures] stored. */
  async counts(): Promise<[bigint, bigint, bigint, bigint]> {
    const [g] = await this.#inner.aggregate(rowsQuery({ groupBy: [], startMs: 0, endMs: ROWS_T0 + 1000 * 86_400_000 }));
    return [g?.attempts ?? 0n, g?.requests ?? 0n, g?.successes ?? 0n, g?.failures ?? 0n];
  }
}

/** The states of the ledger's durable write path (ledger-fallback.ts), their changes, and its error and options. */
import type { LedgerRecord } from "./ledger-record.js";

/**
 * "ok": batches go to the store and nothing waits to be replayed. "spilling": rows wait in the spill to be
 * replayed; new batches go to the spill (or to the store when the spill fails). "down": the last batch could be
 * made durable nowhere; requests must be refused until the store or the spill takes rows again.
 */
export type LedgerState = "ok" | "spilling" | "down";

/** A change of state and what caused it. */
export interface LedgerStateChange {
  readonly state: LedgerState;
  readonly previous: LedgerState;
  /** The spill journal's file, when there is one. */
  readonly spillPath: string | undefined;
  /** The store's failure, on a move to spilling or down. */
  readonly storeError?: unknown;
  /** The spill's failure, on a move to down. */
  readonly spillError?: unknown;
  /** Rows replayed from the spill into the store since the state left ok (on the move back to ok). */
  readonly replayed?: number;
  /** Spilled lines skipped as cut or unreadable since the state left ok (on the move back to ok). */
  readonly skipped?: number;
  /** Rows of refused requests not kept while down, beyond `heldRows` (on the move back to ok). */
  readonly dropped?: number;
}

/** Neither the store nor the spill journal could make a batch durable: its requests must not be answered. */
export class LedgerUnavailableError extends Error {
  override readonly name = "LedgerUnavailableError";

  constructor(storeError: unknown, spillError: unknown) {
    super(`the usage ledger cannot record rows: the store failed (${text(storeError)})${spillError === undefined ? " and there is no spill journal" : ` and so did the spill (${text(spillError)})`}`);
  }
}

/** Tuning of the fallback. */
export interface FallbackOptions {
  /** How often the store is tried again while not "ok", ms (default 1,000). */
  readonly probeMs?: number;
  /** Rows of refused requests kept in memory while down, written once the store or the spill takes rows (default 10,000). */
  readonly heldRows?: number;
  /** Bytes of spill read per replay step (default 1 MiB); steps follow one another, letting new batches in between. */
  readonly replayBytes?: number;
}

/** What a replay at start did. */
export interface Recovery {
  /** Rows replayed into the store (never counted in this process: a budget loaded from the store afterwards counts them). */
  readonly replayed: number;
  /** Rows the store did not take: they stay in the spill, are not in the store, and the caller must count them. */
  readonly waiting: readonly LedgerRecord[];
  /** Lines skipped as cut or unreadable. */
  readonly skipped: number;
}

function text(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The storage interface of the ledger: SQLite today, a shared database for many replicas later. */
import type { LedgerRecord } from "./ledger-record.js";

/** A way to group report rows. */
export type Dimension = "model" | "provider" | "client_key" | "route" | "tag" | "day" | "hour" | "operation";

/** Which rows an aggregation reads, and how it groups them. */
export interface AggregateQuery {
  /** Rows with timeMs >= startMs. */
  readonly startMs: number;
  /** Rows with timeMs < endMs. */
  readonly endMs: number;
  /** Any of these models; all when empty. */
  readonly models: readonly string[];
  readonly providers: readonly string[];
  /** Any of these client keys ("" matches rows without a key); all when empty. */
  readonly clientKeys: readonly string[];
  /** Any of these operations ("chat", "embeddings"); all when empty or absent. */
  readonly operations?: readonly string[];
  /** Rows carrying every one of these tags with these values. */
  readonly tags: Readonly<Record<string, string>>;
  /** Group by these, in this order; one group when empty. */
  readonly groupBy: readonly Dimension[];
  /** The tag key of the "tag" dimension. */
  readonly tagKey: string | undefined;
  /** False to skip the latency histograms (cheaper, e.g. for budget spend). */
  readonly latency: boolean;
}

/**
 * Sorted [value ms, count] pairs: a histogram that totals can merge and percentiles can read.
 * A store may quantize values (the SQLite store keeps them within 1%, see latency-sketch.ts).
 */
export type Histogram = readonly (readonly [number, number])[];

/** Sums over one group of rows. All token sums add the known counts only. */
export interface GroupAggregate {
  /**
   * The group's value per dimension, in `groupBy` order: "" when the row has no value (no client
   * key, route or tag); for "day" and "hour" the UTC bucket number (epoch ms / 86,400,000 or
   * 3,600,000) as a decimal string.
   */
  readonly key: readonly string[];
  /** Rows that ended a request; requests are counted once, on the model of their last attempt. */
  readonly requests: bigint;
  readonly successes: bigint;
  /** Requests that ended with an error (cancelled and refused requests included). */
  readonly failures: bigint;
  readonly attempts: bigint;
  /** Attempts on another model after a failure. */
  readonly failovers: bigint;
  /** Attempts on the same model after its failure. */
  readonly retries: bigint;
  readonly hedges: bigint;
  readonly inputTokens: bigint;
  readonly outputTokens: bigint;
  readonly cachedInputTokens: bigint;
  readonly cacheWriteTokens: bigint;
  /** Input tokens neither read from nor written to a cache, of rows whose input is known. */
  readonly uncachedInputTokens: bigint;
  readonly unknownUsageAttempts: bigint;
  /** Exact cost of every row, estimated and bounded parts included. */
  readonly costPicos: bigint;
  /** Attempts whose usage the gateway estimated (the provider reported none for a call it may bill). */
  readonly estimatedUsageAttempts: bigint;
  /** The part of costPicos that comes from estimated attempts. */
  readonly estimatedCostPicos: bigint;
  /** Attempts whose reported usage was beyond what the request could use, billed at the bound. */
  readonly boundedUsageAttempts: bigint;
  /** Request latency of the requests ended in this group (refusals excluded). */
  readonly latency: Histogram;
  /** Request time to first token of the streamed requests ended in this group. */
  readonly ttft: Histogram;
}

/** Where ledger rows are kept. Every method may be called concurrently with the others. */
export interface LedgerStore {
  /** Stores the rows in one transaction; resolves only once they are committed. */
  append(rows: readonly LedgerRecord[]): Promise<void>;
  /** Aggregates the selected rows per group; groups without rows are absent. */
  aggregate(query: AggregateQuery): Promise<readonly GroupAggregate[]>;
  /** Deletes rows older than `beforeMs` (a store may round down to a UTC day); resolves with how many. */
  prune(beforeMs: number): Promise<number>;
  /** Releases the storage; nothing may be called afterwards. */
  close(): Promise<void>;
}

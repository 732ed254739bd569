/**
 * The embedded ledger: one SQLite file in WAL mode. A committed transaction is in the WAL file
 * before append() resolves, so a killed process (kill -9) loses nothing acknowledged. With the
 * default synchronous=NORMAL the WAL is fsynced only at checkpoints: an OS crash or power loss may
 * roll back the last commits (never corrupt the file). durability "power" (synchronous=FULL)
 * fsyncs every commit. The gateway runs it on a writer thread (ledger-writer.ts), so neither costs the event loop.
 */
import { DAY_MS } from "./utc.js";
import { aggregateRead } from "../report/aggregate-read.js";
import { registerSketchFunctions } from "../report/latency-sketch.js";
import type { LedgerRecord } from "./ledger-record.js";
import { OPERATION_CODES, USAGE_BASIS_CODES } from "./ledger-record.js";
import type { AggregateQuery, GroupAggregate, LedgerStore } from "./ledger-store.js";
import { Rollup } from "./rollup.js";
import { migrate } from "./sqlite-schema.js";
import type { SqlValue, SqliteDatabase, SqliteStatement } from "./sqlite-driver.js";
import { openSqlite } from "./sqlite-driver.js";
import { TagSets } from "./tagsets.js";

/** What survives a commit: a killed process ("process") or also a power loss ("power"). */
export type Durability = "process" | "power";

/** How to open the ledger. */
export interface SqliteLedgerOptions {
  /** File path (created with its schema when absent), or ":memory:". */
  readonly path: string;
  /** Default "process" (WAL, synchronous=NORMAL). */
  readonly durability?: Durability;
  /** Epoch ms, used to stamp applied schema versions. */
  readonly now: () => number;
  /** Fold raw rows into the rollups once this many wait (default 2,000); 0 to fold only on rollUp(). */
  readonly rollupEvery?: number;
  /** Told about a failed background roll-up (reports stay correct: they read unfolded rows raw). */
  readonly onError?: (err: unknown) => void;
}

/** Ids folded per roll-up transaction. */
const ROLLUP_CHUNK = 5_000;
/** Rows deleted per transaction when pruning, so other work can interleave. */
const PRUNE_CHUNK = 20_000;

const INSERT_ROW = `INSERT INTO ledger (time_ms, request_id, client_key, route, tagset_id, model, provider,
  input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, usage_unknown, cost_picos,
  latency_ms, ttft_ms, outcome, attempt, failover, retry, hedge, streamed, error_kind,
  final, request_outcome, request_latency_ms, request_ttft_ms, usage_basis, uid, operation)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (uid) DO NOTHING`;

/** The SQLite implementation of LedgerStore. */
export class SqliteLedgerStore implements LedgerStore {
  /** The schema version of the open file. */
  readonly schemaVersion: number;
  readonly #db: SqliteDatabase;
  readonly #insertRow: SqliteStatement;
  readonly #tagSets: TagSets;
  readonly #rollup: Rollup;
  readonly #rollupEvery: number;
  readonly #onError: (err: unknown) => void;
  readonly #appendAll: (rows: readonly LedgerRecord[]) => number;
  #rollupScheduled = false;

  private constructor(db: SqliteDatabase, version: number, options: SqliteLedgerOptions) {
    this.#db = db;
    this.schemaVersion = version;
    this.#rollupEvery = options.rollupEvery ?? 2_000;
    this.#onError = options.onError ?? (() => undefined);
    this.#insertRow = db.prepare(INSERT_ROW);
    this.#tagSets = new TagSets(db);
    this.#rollup = new Rollup(db);
    this.#appendAll = db.transaction((rows: readonly LedgerRecord[]): number => {
      let last = 0;
      for (const r of rows) last = this.#insertOne(r);
      return last;
    });
  }

  /** Opens or creates the ledger at `options.path`, applies pending migrations and folds unfolded rows. */
  static open(options: SqliteLedgerOptions): SqliteLedgerStore {
    const db = openSqlite(options.path);
    try {
      db.pragma("journal_mode = WAL");
      db.pragma(`synchronous = ${options.durability === "power" ? "FULL" : "NORMAL"}`);
      registerSketchFunctions(db);
      const store = new SqliteLedgerStore(db, migrate(db, options.now()), options);
      store.#rollup.all(ROLLUP_CHUNK);
      return store;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** Rows with id <= this are folded into the rollups. */
  get watermark(): number {
    return this.#rollup.watermark;
  }

  /**
   * Stores the rows in one transaction (synchronously; the promise is for the interface). A row whose uid is
   * already stored is skipped, so appending a batch again (a replayed spill) stores nothing twice.
   */
  async append(rows: readonly LedgerRecord[]): Promise<void> {
    let last: number;
    try {
      last = this.#appendAll(rows);
    } catch (err) {
      this.#tagSets.forget();
      throw err;
    }
    if (this.#rollupEvery > 0 && last - this.#rollup.watermark >= this.#rollupEvery) this.#scheduleRollup();
  }

  /** Folds every unfolded row into the rollups now. */
  async rollUp(): Promise<void> {
    this.#rollup.all(ROLLUP_CHUNK);
  }

  /** Aggregates in one read transaction on this connection. */
  async aggregate(q: AggregateQuery): Promise<readonly GroupAggregate[]> {
    return aggregateRead(this.#db, q);
  }

  /**
   * Deletes whole UTC days: every row (and rollup) before the start of the day of `beforeMs`,
   * a chunk of rows per transaction. Resolves with the number of ledger rows deleted.
   */
  async prune(beforeMs: number): Promise<number> {
    const day = Math.floor(beforeMs / DAY_MS);
    const rows = this.#db.prepare("DELETE FROM ledger WHERE id IN (SELECT id FROM ledger WHERE time_ms < ? LIMIT ?)");
    let total = 0;
    for (;;) {
      const n = rows.run([day * DAY_MS, PRUNE_CHUNK]).changes;
      total += n;
      if (n < PRUNE_CHUNK) break;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.#db.prepare("DELETE FROM rollup_hour WHERE bucket < ?").run([day * 24]);
    this.#db.prepare("DELETE FROM rollup_day WHERE bucket < ?").run([day]);
    return total;
  }

  /** Closes the file. */
  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  #scheduleRollup(): void {
    if (this.#rollupScheduled) return;
    this.#rollupScheduled = true;
    setImmediate(() => {
      this.#rollupScheduled = false;
      if (!this.#db.open) return;
      try {
        this.#rollup.step(ROLLUP_CHUNK);
      } catch (err) {
        this.#onError(err);
      }
    });
  }

  #insertOne(r: LedgerRecord): number {
    const end = r.request;
    const values: SqlValue[] = [
      Math.floor(r.timeMs), r.requestId, r.clientKey ?? null, r.route ?? null, this.#tagSets.idOf(r.tags), r.model, r.provider,
      r.inputTokens ?? null, r.outputTokens ?? null, r.cachedInputTokens ?? null, r.cacheWriteTokens ?? null,
      flag(r.usageUnknown), r.costPicos, Math.round(r.latencyMs), ms(r.ttftMs), r.outcome, r.attempt,
      flag(r.failover), flag(r.retry), flag(r.hedge), flag(r.streamed), r.errorKind ?? null,
      flag(end !== undefined), end?.outcome ?? null, ms(end?.latencyMs), ms(end?.ttftMs), USAGE_BASIS_CODES[r.usageBasis], Buffer.from(r.uid, "hex"),
      OPERATION_CODES[r.operation ?? "chat"],
    ];
    return Number(this.#insertRow.run(values).lastInsertRowid);
  }

}

function flag(b: boolean): number {
  return b ? 1 : 0;
}

function ms(v: number | undefined): number | null {
  return v === undefined ? null : Math.round(v);
}

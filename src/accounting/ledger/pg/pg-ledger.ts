/**
 * The ledger in PostgreSQL, shared by every replica of the gateway. A batch is one INSERT (pg-rows.ts) that skips rows
 * stored already, so the Ledger's spill journal can replay a batch whose commit was unknown without counting it
 * twice. Every call has a deadline: when PostgreSQL is down or slower than `timeoutMs`, append rejects (and the
 * Ledger spills the rows) rather than hangs; the server also cancels the statement at the same time
 * (statement_timeout), and a connection whose call failed is closed, never reused. Reports read the hourly roll-ups
 * plus the raw rows they do not cover, in one snapshot; folding and pruning run on one replica at a time.
 */
import pg from "pg";
import type { PoolClient } from "pg";
import { Sketch } from "../../report/latency-sketch.js";
import { DAY_MS } from "../utc.js";
import type { LedgerRecord } from "../ledger-record.js";
import type { AggregateQuery, GroupAggregate, LedgerStore } from "../ledger-store.js";
import { errorScrubber, PgLedgerError } from "./pg-errors.js";
import { reportSql, SUMS } from "./pg-report-sql.js";
import { foldStep, pruneStep } from "./pg-rollup.js";
import { INSERT_ROWS, insertParams } from "./pg-rows.js";
import { migratePg } from "./pg-schema.js";

/** How to reach and use the database. */
export interface PgLedgerOptions {
  /** postgres://user:password@host:port/db; never printed (errors are scrubbed of it). */
  readonly url: string;
  /** Deadline of a write and of connecting, ms. Default 5,000. */
  readonly timeoutMs?: number;
  /** Deadline of a report read, a fold step and a prune step, ms. Default 30,000. */
  readonly reportTimeoutMs?: number;
  /** Connections for writes at most (reports have 2 more, maintenance 1). Default 4. */
  readonly poolSize?: number;
  /** Epoch ms, to stamp applied schema versions. */
  readonly now: () => number;
  /** Fold after this many rows appended by this process (default 2,000); 0 to fold only by timer or rollUp(). */
  readonly rollupEvery?: number;
  /** Fold every this many ms (rows of other replicas too; default 10,000); 0 for no timer. */
  readonly rollupIntervalMs?: number;
  /** Told about a failed background fold, once until one succeeds (reports stay correct: they read unfolded rows raw). */
  readonly onError?: (err: unknown) => void;
}

/** Rows folded per transaction. */
const FOLD_CHUNK = 5_000;
/** Rows deleted per transaction when pruning. */
const PRUNE_CHUNK = 20_000;

/** The PostgreSQL implementation of LedgerStore. */
export class PgLedgerStore implements LedgerStore {
  readonly #pool: pg.Pool;
  readonly #reportPool: pg.Pool;
  readonly #maintenancePool: pg.Pool;
  readonly #timeoutMs: number;
  readonly #reportTimeoutMs: number;
  readonly #rollupEvery: number;
  readonly #onError: (err: unknown) => void;
  readonly #scrub: (err: unknown, what: string) => PgLedgerError;
  readonly #timer: NodeJS.Timeout | undefined;
  #sinceFold = 0;
  #folding: Promise<number> | undefined;
  #foldFailing = false;
  #closed = false;

  private constructor(o: PgLedgerOptions) {
    this.#timeoutMs = o.timeoutMs ?? 5_000;
    this.#reportTimeoutMs = o.reportTimeoutMs ?? 30_000;
    this.#rollupEvery = o.rollupEvery ?? 2_000;
    this.#onError = o.onError ?? (() => undefined);
    this.#scrub = errorScrubber(o.url);
    const pool = (max: number, timeoutMs: number, connectMs = this.#timeoutMs): pg.Pool => {
      const p = new pg.Pool({
        connectionString: o.url,
        max,
        connectionTimeoutMillis: connectMs,
        statement_timeout: timeoutMs,
        query_timeout: timeoutMs + 1_000,
        idle_in_transaction_session_timeout: 2 * timeoutMs,
        idleTimeoutMillis: 30_000,
        keepAlive: true,
        application_name: "llm-gateway ledger",
      });
      // An idle connection cut by the server (a restart) is dropped by the pool; the next call reports the outage.
      p.on("error", () => undefined);
      return p;
    };
    // Writes, reports, and maintenance (migrations, folds, pruning) have connections of their own: a long report or
    // prune never holds a connection a write needs, and reports never wait behind maintenance.
    const slow = Math.max(this.#reportTimeoutMs, this.#timeoutMs);
    this.#pool = pool(o.poolSize ?? 4, this.#timeoutMs);
    this.#reportPool = pool(2, slow);
    // One maintenance connection: a fold waits for a prune step to end (and the other way round) rather than failing.
    this.#maintenancePool = pool(1, slow, slow);
    const every = o.rollupIntervalMs ?? 10_000;
    if (every > 0) {
      this.#timer = setInterval(() => this.#foldSoon(), every);
      this.#timer.unref();
    }
  }

  /** Connects, applies pending migrations (one replica at a time) and starts folding; rejects when PostgreSQL cannot be used. */
  static async open(options: PgLedgerOptions): Promise<PgLedgerStore> {
    const store = new PgLedgerStore(options);
    try {
      const timeout = Math.max(store.#reportTimeoutMs, store.#timeoutMs);
      await store.#run("migration", timeout, (c) => migratePg(c, options.now(), timeout), store.#maintenancePool);
    } catch (err) {
      await store.close();
      throw err;
    }
    store.#foldSoon();
    return store;
  }

  /** Stores the rows in one statement; rows whose uid is stored already are skipped. Rejects past the deadline. */
  async append(rows: readonly LedgerRecord[]): Promise<void> {
    if (rows.length === 0) return;
    await this.#run("append", this.#timeoutMs, (c) => c.query({ name: "ledger_append", text: INSERT_ROWS, values: insertParams(rows) }));
    this.#sinceFold += rows.length;
    if (this.#rollupEvery > 0 && this.#sinceFold >= this.#rollupEvery) this.#foldSoon();
  }

  /** Aggregates in one REPEATABLE READ snapshot: roll-ups, edge rows and unfolded rows (see pg-report-sql.ts). */
  async aggregate(q: AggregateQuery): Promise<readonly GroupAggregate[]> {
    const { sums, sketches } = reportSql(q);
    if (sums.values.length === 0) return [];
    const timeout = this.#reportTimeoutMs;
    const [sumRows, sketchRows] = await this.#run("report", timeout, async (c) => {
      await c.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      await c.query("SET LOCAL work_mem = '64MB'");
      const a = await c.query<unknown[]>({ text: sums.text, values: sums.values, rowMode: "array" });
      const b = sketches.values.length === 0 ? [] : (await c.query<unknown[]>({ text: sketches.text, values: sketches.values, rowMode: "array" })).rows;
      await c.query("COMMIT");
      return [a.rows, b] as const;
    }, this.#reportPool);
    return mergeGroups(q.groupBy.length, sumRows, sketchRows);
  }

  /** Folds every unfolded row now (unless another replica is folding); resolves with how many this call folded. */
  rollUp(): Promise<number> {
    if (!this.#folding) {
      this.#folding = this.#foldAll().finally(() => (this.#folding = undefined));
    }
    return this.#folding;
  }

  /**
   * Deletes whole UTC days: every row and roll-up before the start of the day of `beforeMs`, a chunk of rows per
   * transaction, one replica at a time (others wait; running it twice deletes nothing more). Resolves with the rows deleted.
   */
  async prune(beforeMs: number): Promise<number> {
    const cut = Math.floor(beforeMs / DAY_MS) * DAY_MS;
    let total = 0;
    for (let first = true; ; first = false) {
      const n = await this.#run("prune", this.#reportTimeoutMs, (c) => pruneStep(c, cut, PRUNE_CHUNK, first, this.#reportTimeoutMs), this.#maintenancePool);
      total += n;
      if (n < PRUNE_CHUNK) return total;
    }
  }

  /** Stops folding and closes every connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#folding?.catch(() => undefined);
    await Promise.all([this.#pool, this.#reportPool, this.#maintenancePool].map((p) => p.end().catch(() => undefined)));
  }

  #foldSoon(): void {
    if (this.#closed || this.#folding) return;
    this.#sinceFold = 0;
    this.rollUp().then(
      () => (this.#foldFailing = false),
      (err: unknown) => {
        if (!this.#foldFailing) this.#onError(err);
        this.#foldFailing = true;
      },
    );
  }

  async #foldAll(): Promise<number> {
    let total = 0;
    while (!this.#closed) {
      const n = await this.#run("roll-up", this.#reportTimeoutMs, (c) => foldStep(c, FOLD_CHUNK, this.#reportTimeoutMs), this.#maintenancePool);
      if (n === undefined) break; // another replica is folding or pruning
      total += n;
      if (n < FOLD_CHUNK) break;
    }
    return total;
  }

  /**
   * Runs `work` on a pooled connection within `timeoutMs` (connecting included), rejecting with a scrubbed error past
   * it. A connection whose work failed (or is still running past the deadline) is closed rather than reused.
   */
  async #run<T>(what: string, timeoutMs: number, work: (c: PoolClient) => Promise<T>, pool: pg.Pool = this.#pool): Promise<T> {
    if (this.#closed && what !== "migration") throw new PgLedgerError(`ledger PostgreSQL ${what}: the store is closed`, undefined);
    const task = (async (): Promise<T> => {
      const client = await pool.connect();
      // A connection cut between two queries emits "error" on the checked-out client: that must not end the process
      // (the next query fails, and the connection is closed below).
      const ignore = (): void => undefined;
      client.on("error", ignore);
      try {
        const out = await work(client);
        client.off("error", ignore);
        client.release();
        return out;
      } catch (err) {
        client.off("error", ignore);
        client.release(true);
        throw err;
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PgLedgerError(`ledger PostgreSQL ${what}: no answer within ${timeoutMs} ms`, "ETIMEDOUT")), timeoutMs);
    });
    task.catch(() => undefined); // settled after the deadline: nobody waits for it any more
    try {
      return await Promise.race([task, deadline]);
    } catch (err) {
      throw this.#scrub(err, what);
    } finally {
      clearTimeout(timer);
    }
  }
}

interface Group {
  readonly key: readonly string[];
  readonly sums: bigint[];
  readonly latency: Sketch;
  readonly ttft: Sketch;
}

/** Joins the sum rows and the sketch rows of a report into its groups. */
function mergeGroups(dims: number, sumRows: readonly unknown[][], sketchRows: readonly unknown[][]): GroupAggregate[] {
  const groups = new Map<string, Group>();
  const groupOf = (row: readonly unknown[]): Group => {
    const key = row.slice(0, dims).map((v) => (v === null || v === undefined ? "" : String(v)));
    const id = JSON.stringify(key);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { key, sums: new Array<bigint>(SUMS.length).fill(0n), latency: new Sketch(), ttft: new Sketch() }));
    return g;
  };
  for (const row of sumRows) {
    const g = groupOf(row);
    for (let i = 0; i < SUMS.length; i++) g.sums[i] = BigInt(String(row[dims + i] ?? "0"));
  }
  for (const row of sketchRows) {
    const g = groupOf(row);
    (Number(row[dims]) === 0 ? g.latency : g.ttft).add(Number(row[dims + 1]), Number(row[dims + 2]));
  }
  return [...groups.values()].map(toAggregate);
}

function toAggregate(g: Group): GroupAggregate {
  const at = (i: number): bigint => g.sums[i] ?? 0n;
  return {
    key: g.key,
    requests: at(0),
    successes: at(1),
    failures: at(0) - at(1),
    attempts: at(2),
    failovers: at(3),
    retries: at(4),
    hedges: at(5),
    inputTokens: at(6),
    outputTokens: at(7),
    cachedInputTokens: at(8),
    cacheWriteTokens: at(9),
    uncachedInputTokens: at(10),
    unknownUsageAttempts: at(11),
    costPicos: at(12),
    estimatedUsageAttempts: at(13),
    boundedUsageAttempts: at(14),
    estimatedCostPicos: at(15),
    latency: g.latency.histogram(),
    ttft: g.ttft.histogram(),
  };
}

/**
 * Folds raw ledger rows into the hourly and daily rollups, in id order, a chunk per transaction.
 * The watermark moves in the same transaction as the rollups it describes, so a crash at any
 * point leaves every row counted exactly once: in a rollup (id <= watermark) or in the raw tail. The watermark is
 * read inside the folding write transaction, so several processes writing one file (serve --workers) never fold
 * the same ids twice.
 */
import { RAW_LATENCY, RAW_SUMS, RAW_TTFT, SUM_NAMES } from "../report/report-sql.js";
import type { SqliteDatabase, SqliteStatement } from "./sqlite-driver.js";

const KEY = "bucket, model, provider, client_key, route, tagset_id, operation";

function foldSql(level: "hour" | "day"): string {
  const bucket = level === "hour" ? "l.time_ms / 3600000" : "l.time_ms / 86400000";
  const add = SUM_NAMES.map((c) => `${c} = ${c} + excluded.${c}`).join(", ");
  return `INSERT INTO rollup_${level} (${KEY}, ${SUM_NAMES.join(", ")}, latency, ttft)
    SELECT ${bucket}, l.model, l.provider, COALESCE(l.client_key, ''), COALESCE(l.route, ''), l.tagset_id, l.operation,
      ${RAW_SUMS.join(", ")}, ${RAW_LATENCY}, ${RAW_TTFT}
    FROM ledger l WHERE l.id > @from AND l.id <= @to
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (${KEY}) DO UPDATE SET ${add},
      latency = sketch_union(latency, excluded.latency), ttft = sketch_union(ttft, excluded.ttft)`;
}

/** The roll-up state and job of one connection (sketch functions must be registered on it). */
export class Rollup {
  readonly #db: SqliteDatabase;
  readonly #foldHour: SqliteStatement;
  readonly #foldDay: SqliteStatement;
  readonly #setWatermark: SqliteStatement;
  readonly #lastId: SqliteStatement;
  readonly #readWatermark: SqliteStatement;
  #mark: number;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#foldHour = db.prepare(foldSql("hour"));
    this.#foldDay = db.prepare(foldSql("day"));
    this.#setWatermark = db.prepare("UPDATE rollup_state SET watermark = ? WHERE id = 1");
    this.#lastId = db.prepare("SELECT COALESCE(MAX(id), 0) FROM ledger").pluck();
    this.#readWatermark = db.prepare("SELECT watermark FROM rollup_state WHERE id = 1").pluck();
    this.#mark = Number(this.#readWatermark.get() ?? 0);
  }

  /** Rows with id <= watermark are in the rollups. */
  get watermark(): number {
    return this.#mark;
  }

  /** Folds up to `maxRows` ids past the watermark in one transaction; returns how many ids remain. */
  step(maxRows: number): number {
    const left = this.#db.transaction(() => {
      // A write first, so the transaction holds the write lock before it reads what another process may have folded.
      this.#setWatermark.run([Number(this.#readWatermark.get() ?? 0)]);
      const from = Number(this.#readWatermark.get() ?? 0);
      const last = Number(this.#lastId.get());
      const to = Math.min(last, from + maxRows);
      if (to > from) {
        this.#foldHour.run({ from, to });
        this.#foldDay.run({ from, to });
        this.#setWatermark.run([to]);
      }
      this.#mark = Math.max(from, to);
      return last - this.#mark;
    })();
    return left;
  }

  /** Folds everything, chunk by chunk. */
  all(maxRows: number): void {
    while (this.step(maxRows) > 0);
  }
}

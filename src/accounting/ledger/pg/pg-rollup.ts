/**
 * Maintenance of the PostgreSQL ledger, one replica at a time (an advisory lock taken per transaction): folding
 * unfolded rows into the hourly and daily roll-ups, and pruning old rows. A fold deletes a chunk of ids from
 * `ledger_unfolded` and adds their rows to the roll-ups in one statement, so a report's snapshot sees each row exactly
 * once: raw (still unfolded) or in a roll-up. No id or time watermark is involved, so a row committed late by another replica
 * or replayed from a spill days later is folded like any other.
 */
import type { PoolClient } from "pg";
import { MAINTENANCE_LOCK, ROLLUP_KEY } from "./pg-schema.js";
import { SUMS } from "./pg-report-sql.js";

const KEY = ROLLUP_KEY.join(", ");

/** The bucket size of each roll-up level, ms. */
export const LEVELS = { hour: 3_600_000, day: 86_400_000 } as const;

/** The CTEs that add the `folded` rows to the roll-ups of one level. */
function foldInto(level: keyof typeof LEVELS): string {
  const keyOfRow = `l.time_ms / ${LEVELS[level]}, l.model, l.provider, COALESCE(l.client_key, ''), COALESCE(l.route, ''), l.tags, l.operation`;
  return `sums_${level} AS (
  INSERT INTO ledger_rollup_${level} (${KEY}, ${SUMS.map(([n]) => n).join(", ")})
  SELECT ${keyOfRow}, ${SUMS.map(([, v]) => `COALESCE(SUM(${v}), 0)`).join(", ")}
  FROM folded l GROUP BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (${KEY}) DO UPDATE SET ${SUMS.map(([n]) => `${n} = ledger_rollup_${level}.${n} + excluded.${n}`).join(", ")}
), sketches_${level} AS (
  INSERT INTO ledger_sketch_${level} (${KEY}, kind, latency_bucket, n)
  SELECT ${keyOfRow}, s.kind, s.bucket, COUNT(*)
  FROM folded l CROSS JOIN LATERAL (VALUES (0, l.latency_bucket), (1, l.ttft_bucket)) AS s (kind, bucket)
  WHERE s.bucket IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
  ON CONFLICT (${KEY}, kind, latency_bucket) DO UPDATE SET n = ledger_sketch_${level}.n + excluded.n
)`;
}

/** Folds up to $1 unfolded rows (lowest ids first) into every level; returns the number folded as `n`. */
export const FOLD = `WITH moved AS (
  DELETE FROM ledger_unfolded WHERE id IN (SELECT id FROM ledger_unfolded ORDER BY id LIMIT $1) RETURNING id
), folded AS (
  SELECT l.* FROM ledger l WHERE l.id = ANY(ARRAY(SELECT id FROM moved))
), ${foldInto("hour")}, ${foldInto("day")}
SELECT COUNT(*)::int AS n FROM moved`;

/** Deletes up to $2 rows older than $1 (epoch ms) with their unfolded ids; returns how many as `n`. */
const PRUNE_ROWS = `WITH gone AS (
  DELETE FROM ledger WHERE id IN (SELECT id FROM ledger WHERE time_ms < $1 LIMIT $2) RETURNING id
), unfolded AS (
  DELETE FROM ledger_unfolded WHERE id IN (SELECT id FROM gone)
)
SELECT COUNT(*)::int AS n FROM gone`;

/**
 * One fold step in its own transaction, if no other replica holds the maintenance lock: folds up to `chunk` rows.
 * Resolves with the number folded, or undefined when another replica is folding or pruning.
 */
export async function foldStep(client: PoolClient, chunk: number, timeoutMs: number): Promise<number | undefined> {
  return maintenance(client, false, timeoutMs, async () => {
    const result = await client.query<{ n: number }>(FOLD, [chunk]);
    return result.rows[0]?.n ?? 0;
  });
}

/**
 * One prune step in its own transaction (waiting for the maintenance lock): deletes up to `chunk` rows before
 * `cutMs` and, on the first step, the roll-ups of the hours and days before it (`cutMs` must start a UTC day). Resolves with the number of rows deleted.
 */
export async function pruneStep(client: PoolClient, cutMs: number, chunk: number, rollups: boolean, timeoutMs: number): Promise<number> {
  const n = await maintenance(client, true, timeoutMs, async () => {
    if (rollups) {
      for (const [level, size] of Object.entries(LEVELS)) {
        await client.query(`DELETE FROM ledger_rollup_${level} WHERE bucket < $1`, [Math.floor(cutMs / size)]);
        await client.query(`DELETE FROM ledger_sketch_${level} WHERE bucket < $1`, [Math.floor(cutMs / size)]);
      }
    }
    const result = await client.query<{ n: number }>(PRUNE_ROWS, [cutMs, chunk]);
    return result.rows[0]?.n ?? 0;
  });
  return n ?? 0;
}

/**
 * Runs `work` in a transaction holding the maintenance lock (waiting for it, or giving up when `wait` is false), each
 * statement within `timeoutMs`.
 */
async function maintenance<T>(client: PoolClient, wait: boolean, timeoutMs: number, work: () => Promise<T>): Promise<T | undefined> {
  await client.query("BEGIN");
  try {
    await client.query(`SET LOCAL statement_timeout = ${Math.floor(timeoutMs)}`);
    if (wait) await client.query("SELECT pg_advisory_xact_lock($1)", [MAINTENANCE_LOCK]);
    else {
      const got = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_xact_lock($1) AS ok", [MAINTENANCE_LOCK]);
      if (got.rows[0]?.ok !== true) {
        await client.query("ROLLBACK");
        return undefined;
      }
    }
    const out = await work();
    await client.query("COMMIT");
    return out;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

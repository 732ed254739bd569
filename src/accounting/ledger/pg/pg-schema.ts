/**
 * The ledger's PostgreSQL schema and its migrations. Applied versions are rows of `ledger_schema_version`; every
 * replica migrates at start inside one transaction holding an advisory lock, so replicas starting together apply
 * each migration once (the others wait, then find it applied). DDL is transactional: a failed migration leaves nothing.
 */
import type { PoolClient } from "pg";

/** One step of the schema. */
export interface PgMigration {
  readonly version: number;
  readonly sql: string;
}

/** The advisory lock key of migrating (an arbitrary constant of this gateway). */
export const MIGRATE_LOCK = 7_331_190_001;
/** The advisory lock key of maintenance (roll-up folds and pruning): one replica at a time. */
export const MAINTENANCE_LOCK = 7_331_190_002;

/** The key of a roll-up group, in order (also the roll-up tables' primary key); `bucket` is the UTC hour or day number. */
export const ROLLUP_KEY = ["bucket", "model", "provider", "client_key", "route", "tags", "operation"] as const;

/** The sum columns of the roll-ups, in order, and their SQL types (the names of pg-report-sql.ts SUMS). */
const ROLLUP_SUMS: readonly (readonly [string, "bigint" | "numeric"])[] = [
  ["requests", "bigint"], ["successes", "bigint"], ["attempts", "bigint"], ["failovers", "bigint"], ["retries", "bigint"], ["hedges", "bigint"],
  ["input_tokens", "numeric"], ["output_tokens", "numeric"], ["cached_input_tokens", "numeric"], ["cache_write_tokens", "numeric"],
  ["uncached_input_tokens", "numeric"], ["unknown_usage_attempts", "bigint"], ["cost_picos", "numeric"], ["estimated_usage_attempts", "bigint"],
  ["bounded_usage_attempts", "bigint"], ["estimated_cost_picos", "numeric"],
];

/** The roll-up tables of one level: `ledger_rollup_LEVEL` (sums) and `ledger_sketch_LEVEL` (bucket counts). */
function rollupTables(level: string): string {
  const key = `bucket bigint NOT NULL, model text NOT NULL, provider text NOT NULL, client_key text NOT NULL, route text NOT NULL,
  tags jsonb NOT NULL, operation smallint NOT NULL`;
  return `CREATE TABLE ledger_rollup_${level} (
  ${key},
  ${ROLLUP_SUMS.map(([n, t]) => `${n} ${t} NOT NULL`).join(",\n  ")},
  PRIMARY KEY (${ROLLUP_KEY.join(", ")})
);
CREATE TABLE ledger_sketch_${level} (
  ${key},
  kind smallint NOT NULL CHECK (kind IN (0, 1)),
  latency_bucket smallint NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (${ROLLUP_KEY.join(", ")}, kind, latency_bucket)
);`;
}

/**
 * v1. `ledger`: one row per billable attempt or refused request; `uid` (the row's own 128-bit id) is unique, so a
 * replayed batch stores nothing twice. Money is BIGINT pico-dollars (exact; SUM gives NUMERIC, so sums cannot
 * overflow); tags are a JSONB object (filter: containment, dimension: `tags ->> key`). `latency_bucket` and
 * `ttft_bucket` are the sketch buckets (report/latency-sketch.ts bucketOf, computed by the writer) of a row that
 * ended a request, so histograms quantize exactly as the SQLite store's.
 * `ledger_unfolded`: the ids of rows not yet in the roll-ups, inserted in the same statement as the rows; a fold
 * deletes ids from it in the same transaction that adds their rows to the roll-ups, so every row is counted once,
 * whatever order replicas commit in and however late a spilled row arrives.
 * `ledger_rollup_hour` and `ledger_rollup_day`: sums per UTC hour or day and group; `ledger_sketch_hour` and
 * `ledger_sketch_day`: latency (kind 0) and time-to-first-token (kind 1) bucket counts per hour or day and group.
 */
const V1 = `
CREATE TABLE ledger (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  uid uuid NOT NULL,
  time_ms bigint NOT NULL CHECK (time_ms >= 0),
  request_id text NOT NULL,
  client_key text,
  route text,
  tags jsonb NOT NULL,
  model text NOT NULL,
  provider text NOT NULL,
  operation smallint NOT NULL CHECK (operation IN (0, 1)),
  input_tokens bigint,
  output_tokens bigint,
  cached_input_tokens bigint,
  cache_write_tokens bigint,
  usage_unknown boolean NOT NULL,
  usage_basis smallint NOT NULL CHECK (usage_basis IN (0, 1, 2)),
  cost_picos bigint NOT NULL CHECK (cost_picos >= 0),
  latency_ms bigint NOT NULL,
  ttft_ms bigint,
  outcome text NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'aborted')),
  attempt integer NOT NULL,
  failover boolean NOT NULL,
  retry boolean NOT NULL,
  hedge boolean NOT NULL,
  streamed boolean NOT NULL,
  error_kind text,
  final boolean NOT NULL,
  request_outcome text CHECK (request_outcome IN ('succeeded', 'failed', 'cancelled')),
  request_latency_ms bigint,
  request_ttft_ms bigint,
  latency_bucket smallint,
  ttft_bucket smallint
);
CREATE UNIQUE INDEX ledger_uid ON ledger (uid);
CREATE INDEX ledger_time ON ledger (time_ms);
CREATE TABLE ledger_unfolded (id bigint PRIMARY KEY);
${["hour", "day"].map(rollupTables).join("\n")}
`;

/** Every migration, in order. */
export const PG_MIGRATIONS: readonly PgMigration[] = [{ version: 1, sql: V1 }];

/**
 * Brings the database to the newest version under the migration lock; returns it. Refuses a database written by a
 * newer gateway rather than misreading it. `client` must be idle (no open transaction); `nowMs` stamps the versions;
 * each statement (waiting for the lock included) may take `timeoutMs`.
 */
export async function migratePg(client: PoolClient, nowMs: number, timeoutMs: number, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<number> {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  await client.query("BEGIN");
  try {
    await client.query(`SET LOCAL statement_timeout = ${Math.floor(timeoutMs)}`);
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATE_LOCK]);
    await client.query("CREATE TABLE IF NOT EXISTS ledger_schema_version (version integer PRIMARY KEY, applied_at_ms bigint NOT NULL)");
    const found = await client.query<{ v: number | null }>("SELECT MAX(version) AS v FROM ledger_schema_version");
    const current = found.rows[0]?.v ?? 0;
    if (current > latest) throw new Error(`ledger schema version ${current} is newer than this gateway's ${latest}`);
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (m.version <= current) continue;
      await client.query(m.sql);
      await client.query("INSERT INTO ledger_schema_version (version, applied_at_ms) VALUES ($1, $2)", [m.version, nowMs]);
    }
    await client.query("COMMIT");
    return latest;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

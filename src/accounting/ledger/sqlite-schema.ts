/**
 * The ledger's SQLite schema and its migrations. The applied versions are rows of
 * `schema_version`; each migration runs once, in its own transaction, in version order.
 */
import type { SqliteDatabase } from "./sqlite-driver.js";

/** One step of the schema. */
export interface Migration {
  readonly version: number;
  readonly sql: string;
}

/**
 * v1. `ledger`: one row per billable attempt or refused request (ids only grow: AUTOINCREMENT).
 * `tagsets`/`tagset_tags`: each distinct tag map once, so rows carry one id and a tag filter or
 * grouping reads a small table. `rollup_hour`/`rollup_day`: sums and latency sketches of the
 * ledger rows up to `rollup_state.watermark`, per hour or day and model, provider, client key,
 * route and tag set; reports read them plus the few raw rows they do not cover.
 * Money is INTEGER pico-dollars in `ledger` (signed 64-bit: at most ~$9.22M per row); rollups keep
 * whole micro-dollars and the pico remainder apart so that their sums cannot overflow.
 */
const ROLLUP_COLUMNS = `
  bucket INTEGER NOT NULL,
  model TEXT NOT NULL,
  provider TEXT NOT NULL,
  client_key TEXT NOT NULL,
  route TEXT NOT NULL,
  tagset_id INTEGER NOT NULL,
  requests INTEGER NOT NULL,
  successes INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  failovers INTEGER NOT NULL,
  hedges INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cached_input_tokens INTEGER NOT NULL,
  cache_write_tokens INTEGER NOT NULL,
  uncached_input_tokens INTEGER NOT NULL,
  unknown_usage_attempts INTEGER NOT NULL,
  cost_micros INTEGER NOT NULL,
  cost_pico_rest INTEGER NOT NULL,
  latency BLOB,
  ttft BLOB,
  PRIMARY KEY (bucket, model, provider, client_key, route, tagset_id)`;

const V1 = `
CREATE TABLE tagsets (id INTEGER PRIMARY KEY, tags TEXT NOT NULL UNIQUE);
CREATE TABLE tagset_tags (
  tagset_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (tagset_id, key)
) WITHOUT ROWID;
CREATE INDEX tagset_tags_value ON tagset_tags (key, value);
CREATE TABLE ledger (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time_ms INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  client_key TEXT,
  route TEXT,
  tagset_id INTEGER NOT NULL,
  model TEXT NOT NULL,
  provider TEXT NOT NULL,
  input_tokens INTEGER,
  output_tokens INTEGER,
  cached_input_tokens INTEGER,
  cache_write_tokens INTEGER,
  usage_unknown INTEGER NOT NULL,
  cost_picos INTEGER NOT NULL CHECK (cost_picos >= 0),
  latency_ms INTEGER NOT NULL,
  ttft_ms INTEGER,
  outcome TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'aborted')),
  attempt INTEGER NOT NULL,
  failover INTEGER NOT NULL,
  hedge INTEGER NOT NULL,
  streamed INTEGER NOT NULL,
  error_kind TEXT,
  final INTEGER NOT NULL,
  request_outcome TEXT CHECK (request_outcome IN ('succeeded', 'failed', 'cancelled')),
  request_latency_ms INTEGER,
  request_ttft_ms INTEGER
);
CREATE INDEX ledger_time ON ledger (time_ms);
CREATE TABLE rollup_hour (${ROLLUP_COLUMNS}) WITHOUT ROWID;
CREATE TABLE rollup_day (${ROLLUP_COLUMNS}) WITHOUT ROWID;
CREATE TABLE rollup_state (id INTEGER PRIMARY KEY CHECK (id = 1), watermark INTEGER NOT NULL);
INSERT INTO rollup_state (id, watermark) VALUES (1, 0);
`;

/** The rollup table of `level` takes the moved rows it folded (id <= watermark) out of failovers, into retries. */
function v2Rollup(level: "hour" | "day"): string {
  const t = `rollup_${level}`;
  const on = ["bucket", "model", "provider", "client_key", "route", "tagset_id"].map((c) => `${t}.${c} = d.${c}`).join(" AND ");
  return `UPDATE ${t} SET failovers = failovers - d.moved, retries = retries + d.retried FROM (
  SELECT l.time_ms / ${level === "hour" ? 3_600_000 : 86_400_000} AS bucket, l.model, l.provider, COALESCE(l.client_key, '') AS client_key,
    COALESCE(l.route, '') AS route, l.tagset_id, COUNT(*) AS moved, SUM(m.retry) AS retried
  FROM v2_moved m JOIN ledger l ON l.id = m.id
  WHERE l.id <= (SELECT watermark FROM rollup_state WHERE id = 1)
  GROUP BY 1, 2, 3, 4, 5, 6
) AS d WHERE ${on};`;
}

/**
 * v2. Retries apart from failovers: `ledger.retry` and `retries` in the rollups. Up to v1 every attempt after a
 * failure was marked a failover; those rows are reclassified as well as the rows can tell: a hedge is neither, an
 * attempt on the model of the attempt numbered just before it is a retry, the rest stay failovers. The rollups
 * move the same counts, so they keep equal to the rows they fold.
 */
const V2 = `
ALTER TABLE ledger ADD COLUMN retry INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_hour ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_day ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
CREATE TEMP TABLE v2_moved (id INTEGER PRIMARY KEY, retry INTEGER NOT NULL);
INSERT INTO v2_moved (id, retry)
  SELECT id, hedge = 0 FROM (
    SELECT id, failover, hedge, model, LAG(model) OVER (PARTITION BY request_id ORDER BY attempt, id) AS prev_model FROM ledger
  ) WHERE failover = 1 AND (hedge = 1 OR model = prev_model);
UPDATE ledger SET failover = 0, retry = (SELECT m.retry FROM v2_moved m WHERE m.id = ledger.id) WHERE id IN (SELECT id FROM v2_moved);
${v2Rollup("hour")}
${v2Rollup("day")}
DROP TABLE v2_moved;
`;

/** The v3 columns of both rollup tables: estimated and bounded attempts, and the estimated part of the cost. */
const V3_ROLLUP_SUMS = ["estimated_usage_attempts", "bounded_usage_attempts", "estimated_cost_micros", "estimated_cost_pico_rest"];

/**
 * v3. Where each row's usage comes from: `ledger.usage_basis` (0 reported, 1 bounded, 2 estimated) and, in the
 * rollups, the estimated and bounded attempts and the estimated part of the cost (micros and pico rest, as the
 * cost). Rows and rollups of v1 and v2 were all reported: the defaults say so, nothing is rewritten.
 */
const V3 = `
ALTER TABLE ledger ADD COLUMN usage_basis INTEGER NOT NULL DEFAULT 0 CHECK (usage_basis IN (0, 1, 2));
${["rollup_hour", "rollup_day"].flatMap((t) => V3_ROLLUP_SUMS.map((c) => `ALTER TABLE ${t} ADD COLUMN ${c} INTEGER NOT NULL DEFAULT 0;`)).join("\n")}
`;

/**
 * v4. Each row's own id, `ledger.uid`, made when the row is created, with a UNIQUE index: a row written twice (a
 * spilled batch replayed, a commit whose outcome was unknown and that was also spilled) is stored once (inserts
 * say ON CONFLICT(uid) DO NOTHING). Rows of v1 to v3 keep a NULL uid; NULLs are distinct, so they never conflict.
 * The uid's 16 bytes are stored, not its 32 hex digits: column and index cost 45 bytes a row so, 80 as text
 * (measured on 500,000 rows of 72 bytes; read it with lower(hex(uid))).
 */
const V4 = `
ALTER TABLE ledger ADD COLUMN uid BLOB;
CREATE UNIQUE INDEX ledger_uid ON ledger (uid);
`;

/** The rollup columns after v4, in order (the v1 columns, then v2's and v3's). */
const V4_ROLLUP = [
  ...ROLLUP_COLUMNS.split("\n").map((line) => /^\s*([a-z_]+) [A-Z]/.exec(line)?.[1]).filter((c): c is string => c !== undefined),
  "retries",
  ...V3_ROLLUP_SUMS,
];

/** Rebuilds one rollup table with `operation` in its key; its rows (all chat) are copied as they are. */
function v5Rollup(t: string): string {
  const columns = V4_ROLLUP.join(", ");
  const added = ["retries", ...V3_ROLLUP_SUMS].map((c) => `${c} INTEGER NOT NULL DEFAULT 0`).join(", ");
  const v1 = ROLLUP_COLUMNS.replace(/,\s*PRIMARY KEY \([^)]*\)\s*$/, "");
  return `ALTER TABLE ${t} RENAME TO ${t}_v4;
CREATE TABLE ${t} (${v1}, ${added}, operation INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (bucket, model, provider, client_key, route, tagset_id, operation)) WITHOUT ROWID;
INSERT INTO ${t} (${columns}) SELECT ${columns} FROM ${t}_v4;
DROP TABLE ${t}_v4;`;
}

/**
 * v5. What each row's request asked for: `ledger.operation` (0 chat, 1 embeddings), and the same column in the
 * rollups' key, so reports group and filter by operation. A primary key cannot be altered in SQLite, so each rollup
 * table is rebuilt with its rows copied. Rows and rollups before v5 were all chat: the defaults say so.
 */
const V5 = `
ALTER TABLE ledger ADD COLUMN operation INTEGER NOT NULL DEFAULT 0 CHECK (operation IN (0, 1));
${v5Rollup("rollup_hour")}
${v5Rollup("rollup_day")}
`;

/** Every migration of the ledger, in order. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, sql: V1 },
  { version: 2, sql: V2 },
  { version: 3, sql: V3 },
  { version: 4, sql: V4 },
  { version: 5, sql: V5 },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = 5;

/** The highest applied schema version; 0 for a new database. */
export function schemaVersion(db: SqliteDatabase): number {
  db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at_ms INTEGER NOT NULL)");
  const v = db.prepare("SELECT MAX(version) FROM schema_version").pluck().get();
  return typeof v === "number" ? v : 0;
}

/**
 * Brings the database to the newest version; returns it. Refuses a database written by a newer
 * version of the gateway rather than misreading it. `nowMs` stamps the applied versions.
 */
export function migrate(db: SqliteDatabase, nowMs: number, migrations: readonly Migration[] = MIGRATIONS): number {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  db.exec("BEGIN IMMEDIATE");
  try {
    const current = schemaVersion(db);
    if (current > latest) throw new Error(`ledger schema version ${current} is newer than this gateway's ${latest}`);
    const insert = db.prepare("INSERT INTO schema_version (version, applied_at_ms) VALUES (?, ?)");
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      insert.run([m.version, nowMs]);
    }
    db.exec("COMMIT");
    return latest;
  } catch (err) {
    db.exec("ROLLBACK");
    throw err;
  }
}

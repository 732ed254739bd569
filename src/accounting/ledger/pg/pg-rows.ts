/**
 * A batch of ledger records as one INSERT: the batch travels as one JSON parameter (JSON.stringify in V8,
 * json_to_recordset in PostgreSQL), so one statement and one round trip take a batch of any size (a replayed spill
 * chunk holds thousands of rows). Rows whose uid is stored already are skipped (ON CONFLICT DO NOTHING), and the ids
 * of the rows inserted go to `ledger_unfolded` in the same statement, for the roll-up to fold.
 */
import { bucketOf } from "../../report/latency-sketch.js";
import type { LedgerRecord } from "../ledger-record.js";
import { OPERATION_CODES, USAGE_BASIS_CODES } from "../ledger-record.js";

/** Each column, its SQL type, and its value of a record (null or absent: NULL). */
const COLUMNS: readonly (readonly [string, string, (r: LedgerRecord) => unknown])[] = [
  ["uid", "uuid", (r) => r.uid],
  ["time_ms", "int8", (r) => Math.floor(r.timeMs)],
  ["request_id", "text", (r) => pgText(r.requestId)],
  ["client_key", "text", (r) => optText(r.clientKey)],
  ["route", "text", (r) => optText(r.route)],
  ["tags", "jsonb", (r) => pgTags(r.tags)],
  ["model", "text", (r) => pgText(r.model)],
  ["provider", "text", (r) => pgText(r.provider)],
  ["operation", "int2", (r) => OPERATION_CODES[r.operation ?? "chat"]],
  ["input_tokens", "int8", (r) => r.inputTokens ?? null],
  ["output_tokens", "int8", (r) => r.outputTokens ?? null],
  ["cached_input_tokens", "int8", (r) => r.cachedInputTokens ?? null],
  ["cache_write_tokens", "int8", (r) => r.cacheWriteTokens ?? null],
  ["usage_unknown", "bool", (r) => r.usageUnknown],
  ["usage_basis", "int2", (r) => USAGE_BASIS_CODES[r.usageBasis]],
  ["cost_picos", "int8", (r) => (r.costPicos <= MAX_EXACT ? Number(r.costPicos) : r.costPicos.toString())],
  ["latency_ms", "int8", (r) => Math.round(r.latencyMs)],
  ["ttft_ms", "int8", (r) => ms(r.ttftMs)],
  ["outcome", "text", (r) => r.outcome],
  ["attempt", "int4", (r) => r.attempt],
  ["failover", "bool", (r) => r.failover],
  ["retry", "bool", (r) => r.retry],
  ["hedge", "bool", (r) => r.hedge],
  ["streamed", "bool", (r) => r.streamed],
  ["error_kind", "text", (r) => optText(r.errorKind)],
  ["final", "bool", (r) => r.request !== undefined],
  ["request_outcome", "text", (r) => r.request?.outcome ?? null],
  ["request_latency_ms", "int8", (r) => ms(r.request?.latencyMs)],
  ["request_ttft_ms", "int8", (r) => ms(r.request?.ttftMs)],
  ["latency_bucket", "int2", latencyBucket],
  ["ttft_bucket", "int2", ttftBucket],
];

/** The statement that appends a batch: $1 is a JSON array of objects whose key `cI` is the value of column I. */
export const INSERT_ROWS = `WITH inserted AS (
  INSERT INTO ledger (${COLUMNS.map((c) => c[0]).join(", ")})
  SELECT ${COLUMNS.map((_, i) => `c${i}`).join(", ")}
  FROM json_to_recordset($1::json) AS x (${COLUMNS.map((c, i) => `c${i} ${c[1]}`).join(", ")})
  ON CONFLICT (uid) DO NOTHING
  RETURNING id
) INSERT INTO ledger_unfolded (id) SELECT id FROM inserted`;

const KEYS = COLUMNS.map((_, i) => `c${i}`);

/** The parameters of INSERT_ROWS for these records. */
export function insertParams(rows: readonly LedgerRecord[]): [string] {
  const out = rows.map((r) => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < COLUMNS.length; i++) o[KEYS[i] as string] = (COLUMNS[i] as (typeof COLUMNS)[number])[2](r);
    return o;
  });
  return [JSON.stringify(out)];
}

/**
 * The sketch bucket of the request latency, on a row that ended a request after an attempt (refusals excluded), as
 * the SQLite store computes it: of the stored whole ms, the request's own latency, else the attempt's.
 */
function latencyBucket(r: LedgerRecord): number | null {
  if (r.request === undefined || r.attempt <= 0) return null;
  return bucketOf(ms(r.request.latencyMs) ?? Math.round(r.latencyMs));
}

/** The sketch bucket of the request's time to first token, on a streamed request's ending row (as latencyBucket). */
function ttftBucket(r: LedgerRecord): number | null {
  if (r.request === undefined || r.attempt <= 0 || !r.streamed) return null;
  const v = ms(r.request.ttftMs) ?? ms(r.ttftMs);
  return v === null ? null : bucketOf(v);
}

function ms(v: number | undefined): number | null {
  return v === undefined ? null : Math.round(v);
}

/**
 * PostgreSQL text holds neither NUL nor lone UTF-16 surrogates: they are stored (and queried) as U+FFFD, as SQLite
 * stores a lone surrogate (a NUL in a model or tag name means nothing).
 */
export function pgText(s: string): string {
  return UNSTORABLE.test(s) ? s.replace(UNSTORABLE_ALL, "\uFFFD") : s;
}

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, "g");
const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

function optText(s: string | undefined): string | null {
  return s === undefined ? null : pgText(s);
}

/** The tags as stored: an object (JSON null is not a map, so an empty map stays {}). */
export function pgTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  let clean = true;
  for (const [k, v] of Object.entries(tags)) if (UNSTORABLE.test(k) || UNSTORABLE.test(v)) clean = false;
  return clean ? tags : Object.fromEntries(Object.entries(tags).map(([k, v]) => [pgText(k), pgText(v)]));
}

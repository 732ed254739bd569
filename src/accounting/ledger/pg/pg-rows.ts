/**
 * A batch of ledger records as one INSERT: one array per column, expanded by unnest (one statement and one round
 * trip per batch, whatever its size). Rows whose uid is stored already are skipped (ON CONFLICT DO NOTHING), and the
 * ids of the rows inserted go to `ledger_unfolded` in the same statement, for the roll-up to fold.
 */
import { bucketOf } from "../../report/latency-sketch.js";
import type { LedgerRecord } from "../ledger-record.js";
import { OPERATION_CODES, USAGE_BASIS_CODES } from "../ledger-record.js";

/** Each column, its SQL array type, and its value of a record. */
const COLUMNS: readonly (readonly [string, string, (r: LedgerRecord) => unknown])[] = [
  ["uid", "uuid", (r) => r.uid],
  ["time_ms", "int8", (r) => Math.floor(r.timeMs)],
  ["request_id", "text", (r) => pgText(r.requestId)],
  ["client_key", "text", (r) => optText(r.clientKey)],
  ["route", "text", (r) => optText(r.route)],
  ["tags", "jsonb", (r) => tagsJson(r.tags)],
  ["model", "text", (r) => pgText(r.model)],
  ["provider", "text", (r) => pgText(r.provider)],
  ["operation", "int2", (r) => OPERATION_CODES[r.operation ?? "chat"]],
  ["input_tokens", "int8", (r) => r.inputTokens ?? null],
  ["output_tokens", "int8", (r) => r.outputTokens ?? null],
  ["cached_input_tokens", "int8", (r) => r.cachedInputTokens ?? null],
  ["cache_write_tokens", "int8", (r) => r.cacheWriteTokens ?? null],
  ["usage_unknown", "bool", (r) => r.usageUnknown],
  ["usage_basis", "int2", (r) => USAGE_BASIS_CODES[r.usageBasis]],
  ["cost_picos", "int8", (r) => r.costPicos.toString()],
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

/** The statement that appends a batch: parameter i is the array of column i. */
export const INSERT_ROWS = `WITH inserted AS (
  INSERT INTO ledger (${COLUMNS.map((c) => c[0]).join(", ")})
  SELECT * FROM unnest(${COLUMNS.map((c, i) => `$${i + 1}::${c[1]}[]`).join(", ")})
  ON CONFLICT (uid) DO NOTHING
  RETURNING id
) INSERT INTO ledger_unfolded (id) SELECT id FROM inserted`;

/** The parameters of INSERT_ROWS for these records. */
export function insertParams(rows: readonly LedgerRecord[]): unknown[][] {
  return COLUMNS.map(([, , of]) => rows.map(of));
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

/** PostgreSQL text cannot hold NUL: it is stored (and queried) as U+FFFD (a NUL in a model or tag name means nothing). */
export function pgText(s: string): string {
  return s.includes("\u0000") ? s.replaceAll("\u0000", "\uFFFD") : s;
}

function optText(s: string | undefined): string | null {
  return s === undefined ? null : pgText(s);
}

function tagsJson(tags: Readonly<Record<string, string>>): string {
  const entries = Object.entries(tags);
  if (entries.length === 0) return "{}";
  return JSON.stringify(Object.fromEntries(entries.map(([k, v]) => [pgText(k), pgText(v)])));
}

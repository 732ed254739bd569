/**
 * The SQL of an aggregation over one segment (see report-plan.ts): raw ledger rows or a rollup
 * table, filtered, grouped, summed. Every segment yields the same columns, so partial results merge.
 */
import type { AggregateQuery, Dimension } from "../ledger/ledger-store.js";
import type { Segment } from "./report-plan.js";
import type { SqlValue } from "../ledger/sqlite-driver.js";

/** A statement's text and its named parameters. */
export interface BuiltSql {
  readonly sql: string;
  readonly params: Record<string, SqlValue>;
}

/** Sums of raw rows, in the column order of the rollup tables (requests ... estimated_cost_pico_rest). */
export const RAW_SUMS = [
  "SUM(l.final)",
  "COALESCE(SUM(l.request_outcome = 'succeeded'), 0)",
  "SUM(l.attempt > 0)",
  "SUM(l.failover)",
  "SUM(l.retry)",
  "SUM(l.hedge)",
  "COALESCE(SUM(l.input_tokens), 0)",
  "COALESCE(SUM(l.output_tokens), 0)",
  "COALESCE(SUM(l.cached_input_tokens), 0)",
  "COALESCE(SUM(l.cache_write_tokens), 0)",
  "COALESCE(SUM(MAX(l.input_tokens - COALESCE(l.cached_input_tokens, 0) - COALESCE(l.cache_write_tokens, 0), 0)), 0)",
  "SUM(l.usage_unknown)",
  "SUM(l.cost_picos / 1000000)",
  "SUM(l.cost_picos % 1000000)",
  "SUM(l.usage_basis = 2)",
  "SUM(l.usage_basis = 1)",
  "SUM(CASE WHEN l.usage_basis = 2 THEN l.cost_picos / 1000000 ELSE 0 END)",
  "SUM(CASE WHEN l.usage_basis = 2 THEN l.cost_picos % 1000000 ELSE 0 END)",
];

/** The rollup columns RAW_SUMS fill, in order. */
export const SUM_NAMES = [
  "requests", "successes", "attempts", "failovers", "retries", "hedges", "input_tokens", "output_tokens", "cached_input_tokens",
  "cache_write_tokens", "uncached_input_tokens", "unknown_usage_attempts", "cost_micros", "cost_pico_rest",
  "estimated_usage_attempts", "bounded_usage_attempts", "estimated_cost_micros", "estimated_cost_pico_rest",
];

/** Request latency of the rows that ended a request (refusals excluded), as a sketch. */
export const RAW_LATENCY = "sketch_add(CASE WHEN l.final = 1 AND l.attempt > 0 THEN COALESCE(l.request_latency_ms, l.latency_ms) END)";
/** Time to first token of streamed requests, as a sketch. */
export const RAW_TTFT = "sketch_add(CASE WHEN l.final = 1 AND l.attempt > 0 AND l.streamed = 1 THEN COALESCE(l.request_ttft_ms, l.ttft_ms) END)";

const HOUR = 3_600_000;
const DAY = 86_400_000;

function tagOf(alias: string): string {
  return `COALESCE((SELECT t.value FROM tagset_tags t WHERE t.tagset_id = ${alias}.tagset_id AND t.key = @group_tag), '')`;
}

/** The stored operation code as its name: 1 is "embeddings", anything else (0, rows before v5) "chat". */
const OPERATION = "(CASE l.operation WHEN 1 THEN 'embeddings' ELSE 'chat' END)";

const RAW_DIMS: Record<Dimension, string> = {
  operation: OPERATION,
  model: "l.model",
  provider: "l.provider",
  client_key: "COALESCE(l.client_key, '')",
  route: "COALESCE(l.route, '')",
  tag: tagOf("l"),
  day: `(l.time_ms / ${DAY})`,
  hour: `(l.time_ms / ${HOUR})`,
};

function rollupDims(kind: "hour" | "day"): Record<Dimension, string> {
  return {
    operation: OPERATION,
    model: "l.model",
    provider: "l.provider",
    client_key: "l.client_key",
    route: "l.route",
    tag: tagOf("l"),
    day: kind === "day" ? "l.bucket" : "(l.bucket / 24)",
    hour: "l.bucket", // only planned on rollup_hour
  };
}

/** Number of sum columns after the group columns of a result row (then latency and ttft). */
export const SUM_COLUMNS = RAW_SUMS.length;

/** The aggregation of one segment: group values, SUM_COLUMNS sums, latency sketch, ttft sketch. */
export function segmentSql(q: AggregateQuery, segment: Segment, watermark: number): BuiltSql {
  const raw = segment.kind === "edge" || segment.kind === "tail";
  const params: Record<string, SqlValue> = {};
  const where: string[] = [];
  if (segment.kind === "edge") {
    where.push("l.time_ms >= @from", "l.time_ms < @to", "l.id <= @w");
    Object.assign(params, { from: segment.fromMs, to: segment.toMs, w: watermark });
  } else if (segment.kind === "tail") {
    where.push("l.id > @w", "+l.time_ms >= @from", "+l.time_ms < @to");
    Object.assign(params, { from: segment.fromMs, to: segment.toMs, w: watermark });
  } else {
    where.push("l.bucket >= @from", "l.bucket < @to");
    Object.assign(params, { from: segment.from, to: segment.to });
  }
  const dims = raw ? RAW_DIMS : rollupDims(segment.kind);
  const anyOf = (column: string, prefix: string, values: readonly string[]): void => {
    if (values.length === 0) return;
    const names = values.map((v, i) => {
      params[`${prefix}${i}`] = v;
      return `@${prefix}${i}`;
    });
    where.push(`${column} IN (${names.join(", ")})`);
  };
  anyOf("l.model", "m", q.models);
  anyOf("l.provider", "p", q.providers);
  anyOf(dims.client_key, "k", q.clientKeys);
  anyOf(OPERATION, "o", q.operations ?? []);
  Object.entries(q.tags).forEach(([key, value], i) => {
    params[`tk${i}`] = key;
    params[`tv${i}`] = value;
    where.push(`l.tagset_id IN (SELECT t.tagset_id FROM tagset_tags t WHERE t.key = @tk${i} AND t.value = @tv${i})`);
  });
  if (q.groupBy.includes("tag")) params["group_tag"] = q.tagKey ?? "";
  const groups = q.groupBy.map((d, i) => `${dims[d]} AS g${i}`);
  const sums = raw ? RAW_SUMS : SUM_NAMES.map((c) => `SUM(l.${c})`);
  const sketches = !q.latency ? ["NULL", "NULL"] : raw ? [RAW_LATENCY, RAW_TTFT] : ["sketch_merge(l.latency)", "sketch_merge(l.ttft)"];
  const table = raw ? "ledger" : segment.kind === "day" ? "rollup_day" : "rollup_hour";
  const groupBy = groups.length > 0 ? ` GROUP BY ${groups.map((_, i) => `g${i}`).join(", ")}` : "";
  const sql = `SELECT ${[...groups, ...sums, ...sketches].join(", ")} FROM ${table} l WHERE ${where.join(" AND ")}${groupBy}`;
  return { sql, params };
}

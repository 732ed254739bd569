/**
 * The SQL of a report on PostgreSQL. A range reads three disjoint sources: the daily and hourly roll-ups of its whole
 * days and hours (split as report-plan.ts does), the raw rows of its partial hours at the edges (folded or not), and
 * the raw rows of its whole hours that are not folded yet (`ledger_unfolded`). Each gives the same columns; one outer query groups and sums them. The semantics
 * are those of the SQLite store (report/report-sql.ts): the same counting rules, "" for a missing value, day and
 * hour as UTC bucket numbers.
 */
import type { AggregateQuery, Dimension } from "../ledger-store.js";
import { OPERATION_CODES } from "../ledger-record.js";
import type { LedgerOperation } from "../ledger-record.js";
import { planSegments } from "../../report/report-plan.js";
import { pgTags, pgText } from "./pg-rows.js";

const HOUR_MS = 3_600_000;

/** The sums of a group, in order: the roll-up's columns and their per-row values on a raw row `l`. */
export const SUMS: readonly (readonly [string, string])[] = [
  ["requests", "CASE WHEN l.final THEN 1 ELSE 0 END"],
  ["successes", "CASE WHEN l.request_outcome = 'succeeded' THEN 1 ELSE 0 END"],
  ["attempts", "CASE WHEN l.attempt > 0 THEN 1 ELSE 0 END"],
  ["failovers", "l.failover::int"],
  ["retries", "l.retry::int"],
  ["hedges", "l.hedge::int"],
  ["input_tokens", "l.input_tokens"],
  ["output_tokens", "l.output_tokens"],
  ["cached_input_tokens", "l.cached_input_tokens"],
  ["cache_write_tokens", "l.cache_write_tokens"],
  // GREATEST skips NULL: a row of unknown input adds 0, as it adds nothing in SQLite.
  ["uncached_input_tokens", "GREATEST(l.input_tokens - COALESCE(l.cached_input_tokens, 0) - COALESCE(l.cache_write_tokens, 0), 0)"],
  ["unknown_usage_attempts", "l.usage_unknown::int"],
  ["cost_picos", "l.cost_picos"],
  ["estimated_usage_attempts", "CASE WHEN l.usage_basis = 2 THEN 1 ELSE 0 END"],
  ["bounded_usage_attempts", "CASE WHEN l.usage_basis = 1 THEN 1 ELSE 0 END"],
  ["estimated_cost_picos", "CASE WHEN l.usage_basis = 2 THEN l.cost_picos ELSE 0 END"],
];

/** A statement and its positional parameters. */
export interface PgSql {
  readonly text: string;
  readonly values: unknown[];
}

/** The two statements of a report: sums per group, and sketch bucket counts per group (kind 0 latency, 1 ttft). */
export interface ReportSql {
  readonly sums: PgSql;
  readonly sketches: PgSql;
}

const OPERATION = "(CASE l.operation WHEN 1 THEN 'embeddings' ELSE 'chat' END)";

/** Raw ledger rows, or the roll-ups of a level. */
type Source = "raw" | "hour" | "day";

/** A statement that reads nothing. */
const NOTHING: PgSql = { text: "SELECT 1 WHERE false", values: [] };

/** Epoch ms bounded to what a bigint parameter and an hour number take exactly. */
function clampMs(ms: number): number {
  return Number.isNaN(ms) ? 0 : Math.min(Math.max(ms, -(2 ** 52)), 2 ** 52);
}

/** Builds the statements of `q`. Result columns: g0..gN-1 (text), then SUMS by name (or kind, bucket, n). */
export function reportSql(q: AggregateQuery): ReportSql {
  const values: unknown[] = [];
  const param = (v: unknown): string => {
    values.push(v);
    return `$${values.length}`;
  };
  const tagKey = q.groupBy.includes("tag") ? param(pgText(q.tagKey ?? "")) : "''";
  const dim = (d: Dimension, s: Source): string => {
    switch (d) {
      case "operation":
        return OPERATION;
      case "model":
      case "provider":
        return `l.${d}`;
      case "client_key":
      case "route":
        return s === "raw" ? `COALESCE(l.${d}, '')` : `l.${d}`;
      case "tag":
        return `COALESCE(l.tags ->> ${tagKey}::text, '')`;
      case "day":
        return s === "raw" ? `(l.time_ms / ${24 * HOUR_MS})` : s === "day" ? "l.bucket" : "(l.bucket / 24)";
      case "hour":
        return s === "raw" ? `(l.time_ms / ${HOUR_MS})` : "l.bucket"; // never planned on day roll-ups
    }
  };
  const filters = filterSql(q, param);
  const where = (s: Source): string => filters.map((f) => f(s)).join("");
  const groups = (s: Source): string => q.groupBy.map((d, i) => `${dim(d, s)}::text AS g${i}, `).join("");

  const [start, end] = [clampMs(q.startMs), clampMs(q.endMs)];
  if (!(end > start)) return { sums: NOTHING, sketches: NOTHING };
  const hs = Math.ceil(start / HOUR_MS);
  const he = Math.floor(end / HOUR_MS);
  const s = param(Math.ceil(start));
  const e = param(Math.ceil(end));
  // Raw sources: a FROM and its time condition, to which the filters are added. The unfolded rows drive their
  // branch (ids to the primary key), whatever the planner's statistics of that busy little table say.
  const raws: (readonly [string, string])[] = [];
  const rollups: (readonly [Exclude<Source, "raw">, string])[] = [];
  if (hs >= he) {
    raws.push(["ledger l", `l.time_ms >= ${s} AND l.time_ms < ${e}`]);
  } else {
    const hsMs = param(hs * HOUR_MS);
    const heMs = param(he * HOUR_MS);
    raws.push(["ledger l", `((l.time_ms >= ${s} AND l.time_ms < ${hsMs}) OR (l.time_ms >= ${heMs} AND l.time_ms < ${e}))`]);
    raws.push(["ledger l", `l.id = ANY(ARRAY(SELECT id FROM ledger_unfolded)) AND l.time_ms >= ${hsMs} AND l.time_ms < ${heMs}`]);
    for (const seg of planSegments(start, end, q.groupBy.includes("hour"))) {
      if (seg.kind === "hour" || seg.kind === "day") rollups.push([seg.kind, `l.bucket >= ${param(seg.from)} AND l.bucket < ${param(seg.to)}`]);
    }
  }

  const gNames = q.groupBy.map((_, i) => `g${i}`);
  const byGroups = (extra: readonly string[] = []): string => {
    const cols = [...gNames.map((_, i) => String(i + 1)), ...extra];
    return cols.length > 0 ? ` GROUP BY ${cols.join(", ")}` : "";
  };
  // Each source is summed per group first, so the outer query merges a few rows per group, not every raw row.
  const sumBranches = [
    ...raws.map(([from, cond]) => `SELECT ${groups("raw")}${SUMS.map(([n, v]) => `SUM(${v}) AS ${n}`).join(", ")} FROM ${from} WHERE ${cond}${where("raw")}${byGroups()}`),
    ...rollups.map(([level, cond]) => `SELECT ${groups(level)}${SUMS.map(([n]) => `SUM(l.${n}) AS ${n}`).join(", ")} FROM ledger_rollup_${level} l WHERE ${cond}${where(level)}${byGroups()}`),
  ];
  const outerSums = SUMS.map(([n]) => `COALESCE(SUM(${n}), 0)::text AS ${n}`).join(", ");
  // A branch without GROUP BY yields one row of NULL sums when it has no rows: requests (SUM of 0/1) is NULL only then.
  const sums = `SELECT ${gNames.map((g) => `${g}, `).join("")}${outerSums} FROM (${sumBranches.join(" UNION ALL ")}) t WHERE requests IS NOT NULL${gNames.length > 0 ? ` GROUP BY ${gNames.join(", ")}` : ""} HAVING COUNT(*) > 0`;

  const k = gNames.length;
  const sketchBranches = [
    ...raws.map(
      ([from, cond]) =>
        `SELECT ${groups("raw")}s.kind, s.bucket, COUNT(*) AS n FROM ${from} CROSS JOIN LATERAL (VALUES (0, l.latency_bucket), (1, l.ttft_bucket)) AS s (kind, bucket)` +
        ` WHERE ${cond} AND l.latency_bucket IS NOT NULL AND s.bucket IS NOT NULL${where("raw")}${byGroups([String(k + 1), String(k + 2)])}`,
    ),
    ...rollups.map(([level, cond]) => `SELECT ${groups(level)}l.kind, l.latency_bucket, SUM(l.n) AS n FROM ledger_sketch_${level} l WHERE ${cond}${where(level)}${byGroups([String(k + 1), String(k + 2)])}`),
  ];
  const sketches = `SELECT ${gNames.map((g) => `${g}, `).join("")}kind, bucket, SUM(n)::float8 AS n FROM (${sketchBranches.join(" UNION ALL ")}) t GROUP BY ${[...gNames, "kind", "bucket"].join(", ")}`;
  return { sums: { text: sums, values }, sketches: q.latency ? { text: sketches, values } : NOTHING };
}

/** The row filters of a query, each as " AND ..." for a source (parameters bound once, shared by every branch). */
function filterSql(q: AggregateQuery, param: (v: unknown) => string): ((s: Source) => string)[] {
  const out: ((s: Source) => string)[] = [];
  if (q.models.length > 0) {
    const p = param(q.models.map(pgText));
    out.push(() => ` AND l.model = ANY(${p}::text[])`);
  }
  if (q.providers.length > 0) {
    const p = param(q.providers.map(pgText));
    out.push(() => ` AND l.provider = ANY(${p}::text[])`);
  }
  if (q.clientKeys.length > 0) {
    const p = param(q.clientKeys.map(pgText));
    out.push((s) => ` AND ${s === "raw" ? "COALESCE(l.client_key, '')" : "l.client_key"} = ANY(${p}::text[])`);
  }
  const operations = q.operations ?? [];
  if (operations.length > 0) {
    // A name that is no operation matches no row, as in SQLite.
    const codes = operations.filter((o): o is LedgerOperation => Object.hasOwn(OPERATION_CODES, o)).map((o) => OPERATION_CODES[o]);
    const p = param(codes);
    out.push(() => ` AND l.operation = ANY(${p}::int2[])`);
  }
  if (Object.keys(q.tags).length > 0) {
    const p = param(JSON.stringify(pgTags(q.tags)));
    out.push(() => ` AND l.tags @> ${p}::jsonb`);
  }
  return out;
}

/** One report read: every segment of the range aggregated in SQL (see report-plan.ts), the parts merged. */
import { Sketch } from "./latency-sketch.js";
import type { AggregateQuery, GroupAggregate } from "../ledger/ledger-store.js";
import { planSegments } from "./report-plan.js";
import { SUM_COLUMNS, segmentSql } from "./report-sql.js";
import type { SqliteDatabase } from "../ledger/sqlite-driver.js";

interface PartialGroup {
  readonly key: readonly string[];
  readonly sums: bigint[];
  readonly latency: Sketch;
  readonly ttft: Sketch;
}

/**
 * Aggregates in one read transaction, so the rollups, their watermark and the raw rows past it are one
 * snapshot (rollup_state is read inside it). Works on the writer's connection and on a reader's of its own.
 */
export function aggregateRead(db: SqliteDatabase, q: AggregateQuery): GroupAggregate[] {
  const dims = q.groupBy.length;
  const parts = new Map<string, PartialGroup>();
  const read = db.transaction(() => {
    const watermark = Number(db.prepare("SELECT watermark FROM rollup_state WHERE id = 1").pluck().get() ?? 0);
    for (const segment of planSegments(q.startMs, q.endMs, q.groupBy.includes("hour"))) {
      const { sql, params } = segmentSql(q, segment, watermark);
      for (const row of db.prepare(sql).raw(true).safeIntegers(true).all(params) as unknown[][]) {
        if (row[dims] === null) continue; // an empty segment without grouping
        const key = row.slice(0, dims).map(groupValue);
        const id = JSON.stringify(key);
        let part = parts.get(id);
        if (!part) parts.set(id, (part = { key, sums: new Array<bigint>(SUM_COLUMNS).fill(0n), latency: new Sketch(), ttft: new Sketch() }));
        for (let i = 0; i < SUM_COLUMNS; i++) part.sums[i] = (part.sums[i] ?? 0n) + big(row[dims + i]);
        part.latency.addBlob(row[dims + SUM_COLUMNS]);
        part.ttft.addBlob(row[dims + SUM_COLUMNS + 1]);
      }
    }
  });
  read();
  return [...parts.values()].map(toAggregate);
}

function toAggregate(p: PartialGroup): GroupAggregate {
  const at = (i: number): bigint => p.sums[i] ?? 0n;
  return {
    key: p.key,
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
    costPicos: at(12) * 1_000_000n + at(13),
    estimatedUsageAttempts: at(14),
    boundedUsageAttempts: at(15),
    estimatedCostPicos: at(16) * 1_000_000n + at(17),
    latency: p.latency.histogram(),
    ttft: p.ttft.histogram(),
  };
}

function big(v: unknown): bigint {
  return typeof v === "bigint" ? v : typeof v === "number" ? BigInt(v) : 0n;
}

function groupValue(v: unknown): string {
  return v === null || v === undefined ? "" : String(v);
}

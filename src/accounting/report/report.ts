/**
 * The cost report in core types: per-group sums from the store, the total, exact percentiles,
 * success rates and savings against a baseline model. Transport-free; service/ maps it to proto.
 */
import type { AggregateQuery, Dimension, GroupAggregate, Histogram } from "../ledger/ledger-store.js";
import type { Percentiles } from "./percentiles.js";
import { mergeHistograms, summarize } from "./percentiles.js";
import type { PricedModel, SavingsResult } from "./savings.js";
import { savingsOf } from "./savings.js";
import { dayLabel, hourLabel } from "../ledger/utc.js";

/** A report's selection and grouping (the aggregation always includes latency). */
export type CostReportQuery = Omit<AggregateQuery, "latency">;

/** Anything that aggregates ledger rows: a Ledger or a LedgerStore. */
export interface AggregateSource {
  aggregate(query: AggregateQuery): Promise<readonly GroupAggregate[]>;
}

/** One group of the report, or the total. */
export interface CostReportGroup extends Omit<GroupAggregate, "key" | "latency" | "ttft"> {
  /** Dimension label -> value, e.g. {model: "gpt-4.1", day: "2026-11-24", "tag:team": "search"}. */
  readonly key: Readonly<Record<string, string>>;
  /** successes / requests; 0 without requests. */
  readonly successRate: number;
  /** Request latency; undefined when no request ended in the group. */
  readonly latency: Percentiles | undefined;
  /** Time to first token of streamed requests; undefined when there were none. */
  readonly ttft: Percentiles | undefined;
  /** Undefined without a baseline model. */
  readonly savings: SavingsResult | undefined;
}

/** The whole report. */
export interface CostReport {
  /** Largest cost first (ties by key). */
  readonly groups: readonly CostReportGroup[];
  readonly total: CostReportGroup;
  readonly baseline: string | undefined;
}

/** The label of a dimension in a group's key map. */
export function dimensionLabel(d: Dimension, tagKey: string | undefined): string {
  return d === "tag" ? `tag:${tagKey ?? ""}` : d;
}

/** Aggregates `query` from `source` and prices it against `baseline`. */
export async function buildCostReport(source: AggregateSource, query: CostReportQuery, baseline: PricedModel | undefined): Promise<CostReport> {
  const aggregates = await source.aggregate({ ...query, latency: true });
  const labels = query.groupBy.map((d) => dimensionLabel(d, query.tagKey));
  const groups = aggregates.map((a) => {
    const key: Record<string, string> = {};
    query.groupBy.forEach((d, i) => {
      key[labels[i] ?? d] = keyValue(d, a.key[i] ?? "");
    });
    return finish(a, key, baseline);
  });
  groups.sort((x, y) => (x.costPicos === y.costPicos ? compareKeys(x.key, y.key, labels) : x.costPicos > y.costPicos ? -1 : 1));
  return { groups, total: finish(sumAggregates(aggregates), {}, baseline), baseline: baseline?.name };
}

function keyValue(d: Dimension, raw: string): string {
  if (d === "day" && raw !== "") return dayLabel(Number(raw));
  if (d === "hour" && raw !== "") return hourLabel(Number(raw));
  return raw;
}

function compareKeys(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>, labels: readonly string[]): number {
  for (const l of labels) {
    const x = a[l] ?? "";
    const y = b[l] ?? "";
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function finish(a: GroupAggregate, key: Record<string, string>, baseline: PricedModel | undefined): CostReportGroup {
  const { latency, ttft, ...sums } = a;
  return {
    ...sums,
    key,
    successRate: a.requests === 0n ? 0 : Number(a.successes) / Number(a.requests),
    latency: summarize(latency),
    ttft: summarize(ttft),
    savings: baseline ? savingsOf(a.costPicos, a, baseline.pricing) : undefined,
  };
}

const ZERO: GroupAggregate = {
  key: [],
  requests: 0n,
  successes: 0n,
  failures: 0n,
  attempts: 0n,
  failovers: 0n,
  retries: 0n,
  hedges: 0n,
  inputTokens: 0n,
  outputTokens: 0n,
  cachedInputTokens: 0n,
  cacheWriteTokens: 0n,
  uncachedInputTokens: 0n,
  unknownUsageAttempts: 0n,
  costPicos: 0n,
  estimatedUsageAttempts: 0n,
  estimatedCostPicos: 0n,
  boundedUsageAttempts: 0n,
  latency: [],
  ttft: [],
};

/** Adds groups together; they partition the selected rows, so this is the total. */
export function sumAggregates(all: readonly GroupAggregate[]): GroupAggregate {
  const latencies: Histogram[] = [];
  const ttfts: Histogram[] = [];
  const total: { -readonly [K in keyof GroupAggregate]: GroupAggregate[K] } = { ...ZERO };
  for (const a of all) {
    total.requests += a.requests;
    total.successes += a.successes;
    total.failures += a.failures;
    total.attempts += a.attempts;
    total.failovers += a.failovers;
    total.retries += a.retries;
    total.hedges += a.hedges;
    total.inputTokens += a.inputTokens;
    total.outputTokens += a.outputTokens;
    total.cachedInputTokens += a.cachedInputTokens;
    total.cacheWriteTokens += a.cacheWriteTokens;
    total.uncachedInputTokens += a.uncachedInputTokens;
    total.unknownUsageAttempts += a.unknownUsageAttempts;
    total.costPicos += a.costPicos;
    total.estimatedUsageAttempts += a.estimatedUsageAttempts;
    total.estimatedCostPicos += a.estimatedCostPicos;
    total.boundedUsageAttempts += a.boundedUsageAttempts;
    latencies.push(a.latency);
    ttfts.push(a.ttft);
  }
  return { ...total, latency: mergeHistograms(latencies), ttft: mergeHistograms(ttfts) };
}

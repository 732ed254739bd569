/** GetCostReport: validate the request, aggregate the ledger, translate the report to proto. */
import { create } from "@bufbuild/protobuf";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Dimension as CoreDimension } from "../accounting/ledger/ledger-store.js";
import type { Percentiles } from "../accounting/report/percentiles.js";
import { buildCostReport } from "../accounting/report/report.js";
import type { AggregateSource, CostReportGroup } from "../accounting/report/report.js";
import { mostExpensiveModel } from "../accounting/report/savings.js";
import type { PricedModel } from "../accounting/report/savings.js";
import { monthStartUtc } from "../accounting/ledger/utc.js";
import type { CostGroup, GetCostReportRequest, GetCostReportResponse, LatencySummary } from "../../gen/llmgateway/v1/cost_pb.js";
import { CostGroupSchema, Dimension, GetCostReportResponseSchema, LatencySummarySchema } from "../../gen/llmgateway/v1/cost_pb.js";
import { toDuration, toMoney } from "./convert.js";

/** What the handler needs. */
export interface CostReportDeps {
  /** The ledger (or its store). */
  readonly ledger: AggregateSource;
  /** The catalogue (config.models): baseline candidates and their prices. */
  readonly models: ReadonlyMap<string, PricedModel>;
  /** Epoch ms: the default end of the period and the month of its default start. */
  readonly now: () => number;
}

const DIMENSIONS: Partial<Record<Dimension, CoreDimension>> = {
  [Dimension.MODEL]: "model",
  [Dimension.PROVIDER]: "provider",
  [Dimension.CLIENT_KEY]: "client_key",
  [Dimension.ROUTE]: "route",
  [Dimension.TAG]: "tag",
  [Dimension.DAY]: "day",
  [Dimension.HOUR]: "hour",
  [Dimension.OPERATION]: "operation",
};

function invalid(field: string, message: string): ConnectError {
  return new ConnectError(`${field}: ${message}`, Code.InvalidArgument);
}

function timeOf(ts: Timestamp | undefined, field: string, fallback: number): number {
  if (!ts) return fallback;
  if (ts.nanos < 0 || ts.nanos > 999_999_999) throw invalid(field, "nanos must be within 0..999,999,999");
  const ms = timestampMs(ts);
  if (!Number.isSafeInteger(Math.floor(ms)) || ms < 0) throw invalid(field, "must be a time after 1970-01-01");
  return Math.floor(ms);
}

function groupBy(req: GetCostReportRequest): CoreDimension[] {
  const seen = new Set<CoreDimension>();
  return req.groupBy.map((d, i) => {
    const dim = DIMENSIONS[d];
    if (!dim) throw invalid(`group_by[${i}]`, `unknown dimension ${d}`);
    if (seen.has(dim)) throw invalid(`group_by[${i}]`, `dimension ${Dimension[d] ?? d} is given twice`);
    seen.add(dim);
    return dim;
  });
}

function baselineOf(req: GetCostReportRequest, models: ReadonlyMap<string, PricedModel>): PricedModel | undefined {
  if (req.baselineModel === "") return mostExpensiveModel(models.values());
  const model = models.get(req.baselineModel);
  if (!model) throw new ConnectError(`baseline_model: unknown model "${req.baselineModel}" (see ListModels)`, Code.NotFound);
  return model;
}

/** Answers GetCostReport; throws ConnectError INVALID_ARGUMENT / NOT_FOUND naming the field. */
export async function getCostReport(req: GetCostReportRequest, deps: CostReportDeps): Promise<GetCostReportResponse> {
  const now = deps.now();
  const startMs = timeOf(req.startTime, "start_time", monthStartUtc(now));
  const endMs = timeOf(req.endTime, "end_time", now);
  if (endMs < startMs) throw invalid("end_time", "is before start_time");
  const dims = groupBy(req);
  if (dims.includes("tag") && req.groupByTagKey === "") throw invalid("group_by_tag_key", "is required with DIMENSION_TAG");
  for (const key of Object.keys(req.tags)) if (key === "") throw invalid("tags", "a tag key is empty");
  req.operations.forEach((op, i) => {
    if (op !== "chat" && op !== "embeddings") throw invalid(`operations[${i}]`, `must be "chat" or "embeddings"`);
  });
  const baseline = baselineOf(req, deps.models);
  const report = await buildCostReport(
    deps.ledger,
    {
      startMs,
      endMs,
      models: req.models,
      providers: req.providers,
      clientKeys: req.clientKeys,
      operations: req.operations,
      tags: req.tags,
      groupBy: dims,
      tagKey: dims.includes("tag") ? req.groupByTagKey : undefined,
    },
    baseline,
  );
  return create(GetCostReportResponseSchema, {
    groups: report.groups.map(toCostGroup),
    total: toCostGroup(report.total),
    baselineModel: report.baseline ?? "",
    startTime: timestampFromMs(startMs),
    endTime: timestampFromMs(endMs),
  });
}

function toLatency(p: Percentiles | undefined): LatencySummary | undefined {
  return p ? create(LatencySummarySchema, { p50: toDuration(p.p50), p95: toDuration(p.p95), p99: toDuration(p.p99) }) : undefined;
}

/** One core report group -> proto. */
export function toCostGroup(g: CostReportGroup): CostGroup {
  return create(CostGroupSchema, {
    key: { ...g.key },
    requests: g.requests,
    successes: g.successes,
    failures: g.failures,
    failovers: g.failovers,
    retries: g.retries,
    hedges: g.hedges,
    inputTokens: g.inputTokens,
    outputTokens: g.outputTokens,
    cachedInputTokens: g.cachedInputTokens,
    unknownUsageAttempts: g.unknownUsageAttempts,
    cost: toMoney(g.costPicos),
    estimatedUsageAttempts: g.estimatedUsageAttempts,
    estimatedCost: toMoney(g.estimatedCostPicos),
    boundedUsageAttempts: g.boundedUsageAttempts,
    successRate: g.successRate,
    latency: toLatency(g.latency),
    timeToFirstToken: toLatency(g.ttft),
    savings: g.savings
      ? { baselineCost: toMoney(g.savings.baselinePicos), saved: toMoney(g.savings.savedPicos), savedPercent: g.savings.savedPercent }
      : undefined,
  });
}

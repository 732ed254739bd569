import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterEach, describe, expect, it } from "vitest";
import type { PricingConfig } from "../config/schema.js";
import { Ledger } from "../accounting/ledger/ledger.js";
import type { LedgerRecord } from "../accounting/ledger/ledger-record.js";
import { testUid } from "../../test/helpers/ledger-row.js";
import { SqliteLedgerStore } from "../accounting/ledger/sqlite-ledger.js";
import type { GetCostReportRequest } from "../../gen/llmgateway/v1/cost_pb.js";
import { Dimension, GetCostReportRequestSchema } from "../../gen/llmgateway/v1/cost_pb.js";
import { getCostReport } from "./cost-report.js";
import type { CostReportDeps } from "./cost-report.js";

const NOW = Date.UTC(2026, 10, 24, 15, 30);

type Init = MessageInitShape<typeof GetCostReportRequestSchema>;

function pricing(input: bigint, output: bigint): PricingConfig {
  return { inputPerToken: input, outputPerToken: output, cachedInputPerToken: input / 10n, cacheWritePerToken: input, priceDate: undefined };
}

const MODELS = new Map([
  ["cheap", { name: "cheap", pricing: pricing(1_000_000n, 2_000_000n) }],
  ["pricey", { name: "pricey", pricing: pricing(3_000_000n, 15_000_000n) }],
  ["mid", { name: "mid", pricing: pricing(9_000_000n, 10_000_000n) }],
]);

function row(id: string, timeMs: number, model: string, over: Partial<LedgerRecord> = {}): LedgerRecord {
  return {
    uid: testUid(`${id}-${over.attempt ?? 1}`), timeMs, requestId: id, clientKey: "k1", tags: { team: "search" }, route: undefined, model, provider: "p", inputTokens: 1000,
    outputTokens: 100, cachedInputTokens: 0, cacheWriteTokens: 0, usageUnknown: false, usageBasis: "reported", costPicos: 1_200_000_000n, latencyMs: 1500,
    ttftMs: undefined, outcome: "succeeded", attempt: 1, failover: false, retry: false, hedge: false, streamed: true, errorKind: undefined,
    request: { outcome: "succeeded", latencyMs: 1500, ttftMs: 40 }, ...over,
  };
}

describe("getCostReport", () => {
  let ledger: Ledger | undefined;
  afterEach(async () => ledger?.close());

  async function deps(rows: readonly LedgerRecord[]): Promise<CostReportDeps> {
    ledger = new Ledger(SqliteLedgerStore.open({ path: ":memory:", now: () => NOW }));
    await ledger.record(rows);
    return { ledger, models: MODELS, now: () => NOW };
  }

  function req(init: Init = {}): GetCostReportRequest {
    return create(GetCostReportRequestSchema, init);
  }

  it("defaults to this UTC month until now and to the most expensive model as the baseline", async () => {
    const d = await deps([
      row("last-month", Date.UTC(2026, 9, 30), "cheap"),
      row("a", Date.UTC(2026, 10, 2), "cheap"),
      row("b", NOW - 1, "cheap", { failover: true, attempt: 2 }),
      row("future", NOW, "cheap"),
    ]);
    const res = await getCostReport(req({ groupBy: [Dimension.MODEL] }), d);
    expect(res.startTime).toEqual(timestampFromMs(Date.UTC(2026, 10, 1)));
    expect(res.endTime).toEqual(timestampFromMs(NOW));
    expect(res.baselineModel).toBe("pricey");
    expect(res.groups).toHaveLength(1);
    const g = res.groups[0];
    expect(g?.key).toEqual({ model: "cheap" });
    expect(g).toMatchObject({ requests: 2n, successes: 2n, failures: 0n, failovers: 1n, inputTokens: 2000n, outputTokens: 200n, successRate: 1 });
    expect(g?.cost).toMatchObject({ units: 0n, picoUnits: 2_400_000_000n, decimal: "0.0024" });
    // 2000 input x 3e6 + 200 output x 15e6 pico-dollars on "pricey"
    expect(g?.savings?.baselineCost).toMatchObject({ units: 0n, picoUnits: 9_000_000_000n });
    expect(g?.savings?.saved).toMatchObject({ picoUnits: 6_600_000_000n });
    expect(g?.savings?.savedPercent).toBeCloseTo(73.3333, 4);
    expect(g?.latency?.p50).toMatchObject({ seconds: 1n });
    expect(g?.timeToFirstToken?.p95).toMatchObject({ seconds: 0n, nanos: 40_000_000 });
    expect(res.total?.requests).toBe(2n);
  });

  it("reports retries of a model apart from failovers to another", async () => {
    const d = await deps([row("a", NOW - 1, "cheap", { retry: true, attempt: 2 }), row("b", NOW - 2, "cheap", { failover: true, attempt: 2 }), row("c", NOW - 3, "cheap", { retry: true, attempt: 3 })]);
    const res = await getCostReport(req({ groupBy: [Dimension.MODEL] }), d);
    expect(res.groups[0]).toMatchObject({ key: { model: "cheap" }, failovers: 1n, retries: 2n });
    expect(res.total).toMatchObject({ failovers: 1n, retries: 2n });
  });

  it("reports estimated and bounded attempts and the estimated part of the cost apart, the cost including it", async () => {
    const d = await deps([
      row("a", NOW - 1, "cheap", { usageBasis: "estimated", costPicos: 2_000_000_000_005n, outcome: "aborted", hedge: true, attempt: 2, request: undefined }),
      row("a", NOW - 2, "cheap", { costPicos: 1_000n }),
      row("b", NOW - 3, "cheap", { usageBasis: "bounded", costPicos: 3_000n }),
      row("c", NOW - 4, "pricey", { usageBasis: "estimated", costPicos: 7_000n }),
    ]);
    const res = await getCostReport(req({ groupBy: [Dimension.MODEL] }), d);
    expect(res.groups.map((g) => [g.key["model"], g.estimatedUsageAttempts, g.estimatedCost?.decimal, g.boundedUsageAttempts, g.cost?.decimal])).toEqual([
      ["cheap", 1n, "2.000000000005", 1n, "2.000000004005"],
      ["pricey", 1n, "0.000000007", 0n, "0.000000007"],
    ]);
    expect(res.groups[0]?.estimatedCost).toMatchObject({ units: 2n, picoUnits: 5n });
    expect(res.total).toMatchObject({ estimatedUsageAttempts: 2n, boundedUsageAttempts: 1n });
    expect(res.total?.estimatedCost).toMatchObject({ units: 2n, picoUnits: 7_005n });
    const none = await getCostReport(req({ models: ["nothing"] }), d);
    expect(none.total).toMatchObject({ estimatedUsageAttempts: 0n, boundedUsageAttempts: 0n });
    expect(none.total?.estimatedCost?.decimal).toBe("0");
  });

  it("takes the baseline, range, filters and tag grouping from the request", async () => {
    const d = await deps([row("a", NOW - 10, "cheap"), row("b", NOW - 20, "pricey", { tags: { team: "ads" } }), row("c", NOW - 30, "cheap", { clientKey: "k2" })]);
    const res = await getCostReport(
      req({
        startTime: timestampFromMs(NOW - 25),
        endTime: timestampFromMs(NOW),
        groupBy: [Dimension.TAG, Dimension.MODEL],
        groupByTagKey: "team",
        baselineModel: "mid",
        clientKeys: ["k1"],
      }),
      d,
    );
    expect(res.baselineModel).toBe("mid");
    expect(res.groups.map((g) => g.key)).toEqual([{ "tag:team": "ads", model: "pricey" }, { "tag:team": "search", model: "cheap" }]);
    expect(res.total?.requests).toBe(2n);
  });

  it("leaves latency unset when no request ended in a group", async () => {
    const res = await getCostReport(req(), await deps([]));
    expect(res.groups).toEqual([]);
    expect(res.total).toMatchObject({ requests: 0n, successRate: 0 });
    expect(res.total?.latency).toBeUndefined();
    expect(res.total?.cost?.decimal).toBe("0");
  });

  const invalid: [string, Init, Code, string][] = [
    ["end before start", { startTime: timestampFromMs(NOW), endTime: timestampFromMs(NOW - 1) }, Code.InvalidArgument, "end_time"],
    ["a tag grouping without a key", { groupBy: [Dimension.TAG] }, Code.InvalidArgument, "group_by_tag_key"],
    ["an unspecified dimension", { groupBy: [Dimension.MODEL, Dimension.UNSPECIFIED] }, Code.InvalidArgument, "group_by[1]"],
    ["a repeated dimension", { groupBy: [Dimension.DAY, Dimension.DAY] }, Code.InvalidArgument, "group_by[1]"],
    ["an empty tag key", { tags: { "": "x" } }, Code.InvalidArgument, "tags"],
    ["an unknown baseline", { baselineModel: "gpt-9" }, Code.NotFound, "baseline_model"],
  ];
  it.each(invalid)("rejects %s naming the field", async (_name, init, code, field) => {
    const err = await getCostReport(req(init), await deps([])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(code);
    expect((err as ConnectError).rawMessage.startsWith(`${field}:`)).toBe(true);
  });
});

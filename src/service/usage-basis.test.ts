/**
 * End to end below the transport: attempts the core marks estimated or bounded, recorded through the gateway's
 * ledger recorder, come out of GetCostReport apart (estimated_usage_attempts, estimated_cost, bounded_usage_attempts).
 */
import { create } from "@bufbuild/protobuf";
import { afterEach, describe, expect, it } from "vitest";
import { Ledger } from "../accounting/ledger/ledger.js";
import { SqliteLedgerStore } from "../accounting/ledger/sqlite-ledger.js";
import type { RequestEnd } from "../gateway/observer.js";
import type { AttemptRecord } from "../gateway/types.js";
import { ledgerRecorder } from "../gateway/usage.js";
import type { Logger } from "../telemetry/log.js";
import { Dimension, GetCostReportRequestSchema } from "../../gen/llmgateway/v1/cost_pb.js";
import { UsageBasis } from "../../gen/llmgateway/v1/types_pb.js";
import { toAttempt } from "./convert.js";
import { getCostReport } from "./cost-report.js";

const T0 = Date.UTC(2026, 10, 10, 12);
const QUIET: Logger = { log: () => undefined };

function attempt(over: Partial<AttemptRecord> & Pick<AttemptRecord, "number" | "model">): AttemptRecord {
  return {
    provider: "p", outcome: "succeeded", errorKind: undefined, httpStatus: 200, reason: "", startedAt: T0, latencyMs: 100, ttftMs: 20,
    hedge: false, failover: false, retry: false, usage: { inputTokens: 100, outputTokens: 10 }, costPicos: 1_000_000n, usageUnknown: false,
    usageBasis: "reported", ...over,
  };
}

function end(requestId: string, attempts: readonly AttemptRecord[], outcome: RequestEnd["outcome"] = "ok"): RequestEnd {
  return {
    request: { target: "a", chat: { messages: [{ role: "user", content: "hi" }], params: {} }, complexity: undefined, tags: {}, requestId },
    clientKey: undefined, route: undefined, streamed: true, attempts, outcome, startedAt: T0, totalMs: 150,
  };
}

describe("usage basis from the core to GetCostReport", () => {
  let ledger: Ledger | undefined;
  afterEach(async () => ledger?.close());

  it("shows a hedge loser's and a cancelled stream's estimated usage apart, and a bounded report, in the report and on the attempt", async () => {
    ledger = new Ledger(SqliteLedgerStore.open({ path: ":memory:", now: () => T0 }));
    const recorder = ledgerRecorder(ledger, QUIET);
    const loser = attempt({ number: 1, model: "a", outcome: "aborted", errorKind: "cancelled", httpStatus: undefined, usage: { inputTokens: 100, outputTokens: 40 }, costPicos: 2_500_000_000_001n, usageUnknown: true, usageBasis: "estimated" });
    const winner = attempt({ number: 2, model: "b", hedge: true, costPicos: 3_000_000n });
    const cut = attempt({ number: 1, model: "a", outcome: "aborted", errorKind: "cancelled", costPicos: 7_000n, usageUnknown: true, usageBasis: "estimated" });
    const bounded = attempt({ number: 1, model: "b", usage: { inputTokens: 100, outputTokens: 4096 }, costPicos: 11_000n, usageBasis: "bounded" });
    await recorder.record(end("hedged", [loser, winner]));
    await recorder.record(end("cancelled", [cut], "cancelled"));
    await recorder.record(end("bounded", [bounded]));

    const res = await getCostReport(create(GetCostReportRequestSchema, { groupBy: [Dimension.MODEL] }), { ledger, models: new Map(), now: () => T0 + 1_000 });
    expect(res.groups.map((g) => [g.key["model"], g.estimatedUsageAttempts, g.estimatedCost?.decimal, g.boundedUsageAttempts, g.cost?.decimal])).toEqual([
      ["a", 2n, "2.500000007001", 0n, "2.500000007001"],
      ["b", 0n, "0", 1n, "0.000003011"],
    ]);
    expect(res.total).toMatchObject({ estimatedUsageAttempts: 2n, boundedUsageAttempts: 1n, estimatedCost: { units: 2n, picoUnits: 500_000_007_001n } });
    expect([loser, winner, bounded].map((a) => toAttempt(a).usageBasis)).toEqual([UsageBasis.ESTIMATED, UsageBasis.REPORTED, UsageBasis.BOUNDED]);
  });
});

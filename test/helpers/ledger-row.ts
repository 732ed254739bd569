/** Ledger rows and queries for store tests: request i an hour after request i-1, over two keys, two models and two tags. */
import { createHash } from "node:crypto";
import type { LedgerRecord } from "../../src/accounting/ledger/ledger-record.js";
import type { AggregateQuery } from "../../src/accounting/ledger/ledger-store.js";

/** A row uid (32 hex digits) made from a label, the same for the same label. */
export function testUid(label: string): string {
  return createHash("md5").update(label).digest("hex");
}

/** The start of the rows' time (2026-11-10, UTC). */
export const ROWS_T0 = Date.UTC(2026, 10, 10);

/** The final (and only) attempt of request i; every fifth estimated, every fifth (from 2) bounded, the rest reported. */
export function ledgerRow(i: number): LedgerRecord {
  return {
    uid: testUid(`u${i}`), timeMs: ROWS_T0 + i * 3_600_000, requestId: `r${i}`, clientKey: i % 2 === 0 ? "a" : "b", tags: { team: i % 3 === 0 ? "x" : "y" }, route: undefined,
    model: i % 4 === 0 ? "m1" : "m2", provider: "p", inputTokens: 10 + i, outputTokens: 5, cachedInputTokens: undefined, cacheWriteTokens: undefined,
    usageUnknown: false, usageBasis: (["reported", "reported", "bounded", "reported", "estimated"] as const)[i % 5] ?? "reported", costPicos: BigInt(1_000 + i), latencyMs: 50 + i, ttftMs: undefined, outcome: "succeeded", attempt: 1, failover: false, retry: false,
    hedge: false, streamed: false, errorKind: undefined, request: { outcome: "succeeded", latencyMs: 60 + i, ttftMs: undefined },
  };
}

/** A query over the rows' first two months, grouped by model, client key and day, with `over` applied. */
export function rowsQuery(over: Partial<AggregateQuery> = {}): AggregateQuery {
  return {
    startMs: ROWS_T0 - 86_400_000, endMs: ROWS_T0 + 60 * 86_400_000, models: [], providers: [], clientKeys: [], tags: {},
    groupBy: ["model", "client_key", "day"], tagKey: undefined, latency: true, ...over,
  };
}

import { afterEach, describe, expect, it } from "vitest";
import type { PricingConfig } from "../../config/schema.js";
import { Ledger } from "../ledger/ledger.js";
import type { LedgerRecord } from "../ledger/ledger-record.js";
import { MAX_ROW_PICOS } from "../ledger/ledger-record.js";
import { requestRows } from "../ledger/ledger-rows.js";
import type { AttemptFacts, RequestFacts } from "../ledger/ledger-rows.js";
import { testUid } from "../../../test/helpers/ledger-row.js";
import { buildCostReport } from "./report.js";
import type { CostReport, CostReportGroup, CostReportQuery } from "./report.js";
import { SqliteLedgerStore } from "../ledger/sqlite-ledger.js";

const T = (day: number, h: number, m = 0, s = 0): number => Date.UTC(2026, 10, day, h, m, s);

function attempt(over: Partial<AttemptFacts> & Pick<AttemptFacts, "model" | "provider" | "startedAt">): AttemptFacts {
  return {
    number: 1, outcome: "succeeded", errorKind: undefined, latencyMs: 100, ttftMs: undefined, hedge: false, failover: false, retry: false,
    usage: {}, costPicos: 0n, usageUnknown: false, usageBasis: "reported", ...over,
  };
}

function request(over: Partial<RequestFacts> & Pick<RequestFacts, "requestId" | "startedAt">): RequestFacts {
  return { clientKey: undefined, tags: {}, route: undefined, target: "gpt-4.1", streamed: false, outcome: "succeeded", latencyMs: 100, ttftMs: undefined, ...over };
}

/** Six requests over two days; the expected numbers below are computed by hand from these. */
const FIXTURE: LedgerRecord[] = [
  ...requestRows(request({ requestId: "r1", startedAt: T(24, 10, 5), clientKey: "k1", tags: { team: "search", env: "prod" }, route: "auto", streamed: true, latencyMs: 800, ttftMs: 100 }), [
    attempt({ model: "gpt-4.1", provider: "openai", startedAt: T(24, 10, 5), usage: { inputTokens: 1000, cachedInputTokens: 200, outputTokens: 500 }, costPicos: 4_000_000_000n, latencyMs: 800, ttftMs: 100 }),
  ]),
  ...requestRows(request({ requestId: "r2", startedAt: T(24, 10, 30), clientKey: "k1", tags: { team: "search", env: "prod" }, route: "auto", latencyMs: 1500 }), [
    attempt({ model: "claude-sonnet-4.5", provider: "anthropic", startedAt: T(24, 10, 30), outcome: "failed", errorKind: "server_error", usageUnknown: true, latencyMs: 300 }),
    attempt({ number: 2, model: "gemini-2.5-flash", provider: "google", startedAt: T(24, 10, 30, 1), failover: true, usage: { inputTokens: 2000, outputTokens: 1000, cachedInputTokens: 0 }, costPicos: 1_000_000_000n, latencyMs: 1100 }),
  ]),
  ...requestRows(request({ requestId: "r3", startedAt: T(24, 11, 10), clientKey: "k2", tags: { team: "ads", env: "prod" }, streamed: true, latencyMs: 700, ttftMs: 350 }), [
    attempt({ model: "gpt-4.1", provider: "openai", startedAt: T(24, 11, 10), outcome: "aborted", errorKind: "cancelled", usage: { inputTokens: 400, outputTokens: 50 }, costPicos: 1_200_000_000n, latencyMs: 900 }),
    attempt({ number: 2, model: "claude-sonnet-4.5", provider: "anthropic", startedAt: T(24, 11, 10, 1), hedge: true, usage: { inputTokens: 400, cachedInputTokens: 100, cacheWriteTokens: 50, outputTokens: 300 }, costPicos: 5_700_000_000n, latencyMs: 600, ttftMs: 250 }),
  ]),
  ...requestRows(request({ requestId: "r4", startedAt: T(24, 11, 50), route: "cheap", outcome: "failed", latencyMs: 2000 }), [
    attempt({ model: "deepseek-v3.2", provider: "deepseek", startedAt: T(24, 11, 50), outcome: "failed", errorKind: "network", usage: { inputTokens: 100 }, usageUnknown: true, costPicos: 28_000_000n, latencyMs: 2000 }),
  ]),
  ...requestRows(request({ requestId: "r5", startedAt: T(25, 9, 0), clientKey: "k2", tags: { team: "ads", env: "staging" }, streamed: true, outcome: "cancelled", latencyMs: 400, ttftMs: 150 }), [
    attempt({ model: "gpt-4.1", provider: "openai", startedAt: T(25, 9, 0), outcome: "aborted", errorKind: "cancelled", usage: { inputTokens: 300, outputTokens: 20 }, costPicos: 760_000_000n, latencyMs: 400, ttftMs: 150 }),
  ]),
  ...requestRows(request({ requestId: "r6", startedAt: T(25, 9, 30), clientKey: "k3", tags: { team: "search" }, route: "auto", target: "auto", outcome: "failed", refusal: "budget_exceeded", latencyMs: 0 }), []),
];

const CLAUDE: PricingConfig = { inputPerToken: 3_000_000n, cachedInputPerToken: 300_000n, cacheWritePerToken: 3_750_000n, outputPerToken: 15_000_000n, priceDate: undefined };

const ALL: CostReportQuery = { startMs: T(1, 0), endMs: T(30, 0), models: [], providers: [], clientKeys: [], tags: {}, groupBy: [], tagKey: undefined };

/** Loads the fixture three ways; every report must be the same whichever way. */
const MODES = [
  { name: "raw rows only", rolled: 0 },
  { name: "all rows rolled up", rolled: FIXTURE.length },
  { name: "half rolled up, half raw", rolled: 4 },
] as const;

function near(actual: number | undefined, expected: number): void {
  expect(actual).toBeDefined();
  expect(Math.abs((actual ?? 0) - expected)).toBeLessThanOrEqual(expected * 0.01);
}

function group(report: CostReport, key: Record<string, string>): CostReportGroup {
  const g = report.groups.find((x) => JSON.stringify(x.key) === JSON.stringify(key));
  if (!g) throw new Error(`no group ${JSON.stringify(key)} in ${JSON.stringify(report.groups.map((x) => x.key))}`);
  return g;
}

describe.each(MODES)("cost report over the fixture ($name)", ({ rolled }) => {
  let ledger: Ledger | undefined;
  afterEach(async () => ledger?.close());

  async function run(query: Partial<CostReportQuery>, rows: readonly LedgerRecord[] = FIXTURE, baseline = true): Promise<CostReport> {
    const store = SqliteLedgerStore.open({ path: ":memory:", now: () => T(1, 0), rollupEvery: 0 });
    ledger = new Ledger(store);
    await ledger.record(rows.slice(0, rolled));
    await store.rollUp();
    expect(store.watermark).toBe(Math.min(rolled, rows.length));
    await ledger.record(rows.slice(rolled));
    return buildCostReport(ledger, { ...ALL, ...query }, baseline ? { name: "claude-sonnet-4.5", pricing: CLAUDE } : undefined);
  }

  it("totals count requests once, attempts per attempt, and known tokens only", async () => {
    const { total, groups } = await run({});
    expect(groups).toHaveLength(1);
    expect(total).toMatchObject({
      requests: 6n, successes: 3n, failures: 3n, attempts: 7n, failovers: 1n, hedges: 1n,
      inputTokens: 4200n, outputTokens: 1870n, cachedInputTokens: 300n, cacheWriteTokens: 50n, uncachedInputTokens: 3850n,
      unknownUsageAttempts: 2n, costPicos: 12_688_000_000n, successRate: 0.5,
    });
    near(total.latency?.p50, 800);
    near(total.latency?.p95, 2000);
    near(total.latency?.p99, 2000);
    near(total.ttft?.p50, 150);
    near(total.ttft?.p95, 350);
  });

  it("prices the same usage on the baseline exactly", async () => {
    const { total } = await run({});
    expect(total.savings).toEqual({ baselinePicos: 39_877_500_000n, savedPicos: 27_189_500_000n, savedPercent: 68.1825 });
  });

  it("groups by model, attributing each request to the model of the attempt that ended it", async () => {
    const report = await run({ groupBy: ["model"] });
    expect(report.groups.map((g) => g.key["model"])).toEqual(["gpt-4.1", "claude-sonnet-4.5", "gemini-2.5-flash", "deepseek-v3.2", "auto"]);
    const gpt = group(report, { model: "gpt-4.1" });
    expect(gpt).toMatchObject({ requests: 2n, successes: 1n, failures: 1n, attempts: 3n, inputTokens: 1700n, outputTokens: 570n, cachedInputTokens: 200n, costPicos: 5_960_000_000n });
    near(gpt.latency?.p50, 400);
    near(gpt.latency?.p95, 800);
    near(gpt.ttft?.p50, 100);
    expect(group(report, { model: "claude-sonnet-4.5" })).toMatchObject({ requests: 1n, attempts: 2n, hedges: 1n, unknownUsageAttempts: 1n, costPicos: 5_700_000_000n });
    const gemini = group(report, { model: "gemini-2.5-flash" });
    expect(gemini).toMatchObject({ requests: 1n, failovers: 1n, inputTokens: 2000n, costPicos: 1_000_000_000n, ttft: undefined });
    near(gemini.latency?.p50, 1500);
    expect(group(report, { model: "deepseek-v3.2" })).toMatchObject({ requests: 1n, failures: 1n, unknownUsageAttempts: 1n, outputTokens: 0n, costPicos: 28_000_000n });
    // The request refused before any attempt counts under the route it asked for.
    expect(group(report, { model: "auto" })).toMatchObject({ requests: 1n, failures: 1n, attempts: 0n, costPicos: 0n, latency: undefined });
    expect(report.total.costPicos).toBe(12_688_000_000n);
  });

  it("groups by provider, client key, route, tag, day and hour", async () => {
    const providers = await run({ groupBy: ["provider"] });
    expect(group(providers, { provider: "google" }).costPicos).toBe(1_000_000_000n);
    const keys = await run({ groupBy: ["client_key"] });
    expect(keys.groups.map((g) => [g.key["client_key"], g.requests, g.costPicos])).toEqual([
      ["k2", 2n, 7_660_000_000n], ["k1", 2n, 5_000_000_000n], ["", 1n, 28_000_000n], ["k3", 1n, 0n],
    ]);
    const routes = await run({ groupBy: ["route"] });
    expect(routes.groups.map((g) => [g.key["route"], g.requests, g.costPicos])).toEqual([
      ["", 2n, 7_660_000_000n], ["auto", 3n, 5_000_000_000n], ["cheap", 1n, 28_000_000n],
    ]);
    const teams = await run({ groupBy: ["tag"], tagKey: "team" });
    expect(teams.groups.map((g) => [g.key["tag:team"], g.requests, g.costPicos])).toEqual([
      ["ads", 2n, 7_660_000_000n], ["search", 3n, 5_000_000_000n], ["", 1n, 28_000_000n],
    ]);
    const envs = await run({ groupBy: ["tag"], tagKey: "env" });
    expect(envs.groups.map((g) => [g.key["tag:env"], g.requests])).toEqual([["prod", 3n], ["staging", 1n], ["", 2n]]);
    const days = await run({ groupBy: ["day"] });
    expect(days.groups.map((g) => [g.key["day"], g.requests, g.costPicos])).toEqual([
      ["2026-11-24", 4n, 11_928_000_000n], ["2026-11-25", 2n, 760_000_000n],
    ]);
    const hours = await run({ groupBy: ["hour"] });
    expect(hours.groups.map((g) => [g.key["hour"], g.requests, g.costPicos])).toEqual([
      ["2026-11-24T11:00Z", 2n, 6_928_000_000n], ["2026-11-24T10:00Z", 2n, 5_000_000_000n], ["2026-11-25T09:00Z", 2n, 760_000_000n],
    ]);
  });

  it("groups by several dimensions at once, with savings per group", async () => {
    const report = await run({ groupBy: ["model", "day"] });
    expect(report.groups).toHaveLength(6);
    expect(group(report, { model: "gpt-4.1", day: "2026-11-24" })).toMatchObject({ requests: 1n, attempts: 2n, costPicos: 5_200_000_000n });
    const late = group(report, { model: "gpt-4.1", day: "2026-11-25" });
    expect(late).toMatchObject({ requests: 1n, failures: 1n, costPicos: 760_000_000n });
    // 300 uncached input and 20 output tokens at the baseline's prices.
    expect(late.savings?.baselinePicos).toBe(300n * 3_000_000n + 20n * 15_000_000n);
  });

  it("filters by time range: start inclusive, end exclusive, any minute", async () => {
    expect((await run({ startMs: T(24, 10), endMs: T(24, 11) })).total).toMatchObject({ requests: 2n, costPicos: 5_000_000_000n });
    expect((await run({ startMs: T(24, 10, 5), endMs: T(24, 10, 30) })).total).toMatchObject({ requests: 1n, costPicos: 4_000_000_000n });
    expect((await run({ startMs: T(24, 10, 6), endMs: T(25, 9, 0) })).total).toMatchObject({ requests: 3n, costPicos: 7_928_000_000n });
    expect((await run({ startMs: T(24, 0), endMs: T(26, 0) })).total.requests).toBe(6n);
    expect((await run({ startMs: T(24, 10, 20), endMs: T(25, 9, 10) })).total).toMatchObject({ requests: 4n, costPicos: 8_688_000_000n });
  });

  it("filters by models, providers and client keys (any of), and by tags (all of)", async () => {
    expect((await run({ models: ["gpt-4.1"] })).total).toMatchObject({ requests: 2n, attempts: 3n, costPicos: 5_960_000_000n });
    expect((await run({ models: ["gpt-4.1", "gemini-2.5-flash"] })).total).toMatchObject({ requests: 3n, costPicos: 6_960_000_000n });
    expect((await run({ providers: ["anthropic"] })).total).toMatchObject({ requests: 1n, attempts: 2n, costPicos: 5_700_000_000n });
    expect((await run({ clientKeys: ["k1"] })).total).toMatchObject({ requests: 2n, costPicos: 5_000_000_000n });
    expect((await run({ clientKeys: [""] })).total).toMatchObject({ requests: 1n, costPicos: 28_000_000n });
    expect((await run({ tags: { team: "ads" } })).total).toMatchObject({ requests: 2n, costPicos: 7_660_000_000n });
    expect((await run({ tags: { team: "search", env: "prod" } })).total).toMatchObject({ requests: 2n, costPicos: 5_000_000_000n });
    const none = await run({ tags: { team: "nobody" }, groupBy: ["model"] });
    expect(none.groups).toEqual([]);
    expect(none.total).toMatchObject({ requests: 0n, costPicos: 0n, successRate: 0, latency: undefined, ttft: undefined });
    expect(none.total.savings?.savedPercent).toBe(0);
  });

  it("counts retries of a model apart from failovers to another", async () => {
    const rows = requestRows(request({ requestId: "rf", startedAt: T(24, 12) }), [
      attempt({ model: "a", provider: "p", startedAt: T(24, 12), outcome: "failed", errorKind: "server_error" }),
      attempt({ number: 2, model: "a", provider: "p", startedAt: T(24, 12, 0, 1), outcome: "failed", errorKind: "server_error", retry: true }),
      attempt({ number: 3, model: "b", provider: "p", startedAt: T(24, 12, 0, 2), failover: true }),
    ]);
    const report = await run({ groupBy: ["model"] }, [...rows, ...FIXTURE]);
    expect(group(report, { model: "a" })).toMatchObject({ attempts: 2n, failovers: 0n, retries: 1n });
    expect(group(report, { model: "b" })).toMatchObject({ requests: 1n, attempts: 1n, failovers: 1n, retries: 0n });
    expect(report.total).toMatchObject({ attempts: 10n, failovers: 2n, retries: 1n });
  });

  it("shows estimated and bounded attempts apart, the estimated part of the cost exact, whether rows are rolled up or raw", async () => {
    // First four rows (folded in the "half" mode): e1's hedge loser, estimated at 12:40, just inside the range start; e2; e3.
    const rows = [
      ...requestRows(request({ requestId: "e1", startedAt: T(24, 12, 40) }), [
        attempt({ model: "a", provider: "p", startedAt: T(24, 12, 40), outcome: "aborted", errorKind: "cancelled", usageBasis: "estimated", usage: { inputTokens: 10, outputTokens: 3 }, costPicos: 3_000_000_123n }),
        attempt({ number: 2, model: "a", provider: "p", startedAt: T(24, 12, 40, 1), hedge: true, usage: { inputTokens: 10, outputTokens: 9 }, costPicos: 5_000n }),
      ]),
      ...requestRows(request({ requestId: "e2", startedAt: T(24, 14) }), [attempt({ model: "a", provider: "p", startedAt: T(24, 14), usageBasis: "bounded", costPicos: 7_000n })]),
      ...requestRows(request({ requestId: "e3", startedAt: T(24, 14), outcome: "cancelled" }), [
        attempt({ model: "a", provider: "p", startedAt: T(24, 14), outcome: "aborted", errorKind: "cancelled", usageBasis: "estimated", costPicos: MAX_ROW_PICOS }),
      ]),
      ...requestRows(request({ requestId: "e4", startedAt: T(24, 15), outcome: "cancelled" }), [
        attempt({ model: "a", provider: "p", startedAt: T(24, 15), outcome: "aborted", errorKind: "cancelled", usageBasis: "estimated", costPicos: MAX_ROW_PICOS }),
      ]),
      ...requestRows(request({ requestId: "e5", startedAt: T(25, 1) }), [attempt({ model: "b", provider: "p", startedAt: T(25, 1), usageBasis: "bounded", costPicos: 17_000n })]),
    ];
    const estimated = 3_000_000_123n + 2n * MAX_ROW_PICOS;
    for (const query of [{ groupBy: ["model"] }, { groupBy: ["model"], startMs: T(24, 12, 30) }] as const) {
      const report = await run(query, [...rows, ...FIXTURE]);
      expect(group(report, { model: "a" })).toMatchObject({
        attempts: 5n, estimatedUsageAttempts: 3n, boundedUsageAttempts: 1n, estimatedCostPicos: estimated, costPicos: estimated + 12_000n,
      });
      expect(group(report, { model: "b" })).toMatchObject({ estimatedUsageAttempts: 0n, boundedUsageAttempts: 1n, estimatedCostPicos: 0n, costPicos: 17_000n });
      expect(report.total).toMatchObject({ estimatedUsageAttempts: 3n, boundedUsageAttempts: 2n, estimatedCostPicos: estimated });
    }
    const hours = await run({ groupBy: ["hour"] }, [...rows, ...FIXTURE]);
    expect(hours.groups.map((g) => [g.key["hour"], g.estimatedUsageAttempts, g.estimatedCostPicos]).filter(([, n]) => n !== 0n)).toEqual([
      ["2026-11-24T14:00Z", 1n, MAX_ROW_PICOS], ["2026-11-24T15:00Z", 1n, MAX_ROW_PICOS], ["2026-11-24T12:00Z", 1n, 3_000_000_123n],
    ]);
  });

  it("keeps money exact beyond 64 bits in total and has no savings without a baseline", async () => {
    const huge = requestRows(request({ requestId: "big", startedAt: T(24, 12) }), [
      attempt({ model: "m", provider: "p", startedAt: T(24, 12), costPicos: MAX_ROW_PICOS, usage: { inputTokens: 1, outputTokens: 1 } }),
    ]);
    const huge2 = huge.map((r) => ({ ...r, uid: testUid(`${r.uid}-2`), requestId: "big2" }));
    const report = await run({}, [...huge, ...huge2, ...FIXTURE], false);
    expect(report.total.costPicos).toBe(2n * MAX_ROW_PICOS + 12_688_000_000n);
    expect(report.total.savings).toBeUndefined();
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { GLOBAL_BUDGET, clientKeyBudget, tagBudget } from "../../src/accounting/budget/budget-guard.js";
import type { BudgetReservation } from "../../src/accounting/budget/budget-guard.js";
import type { LedgerRecord } from "../../src/accounting/ledger/ledger-record.js";
import type { SharedBudgets } from "../../src/gateway/shared/shared-state.js";
import type { RedisState } from "../../src/gateway/shared/redis/redis-state.js";
import { createRedisState } from "../../src/gateway/shared/redis/redis-state.js";
import { startRedis } from "../helpers/redis-server.js";
import type { RedisServer } from "../helpers/redis-server.js";
import { FakeSpend, captureLog, sleep, waitFor } from "./kit.js";
import { hasSharedServices } from "../helpers/tools.js";

const DOLLAR = 1_000_000_000_000n;
const NOW = Date.UTC(2026, 11, 3, 12);
const NEXT_MONTH = Date.UTC(2027, 0, 1);
const LIMITS = new Map([
  [GLOBAL_BUDGET, 100n * DOLLAR],
  [clientKeyBudget("k"), DOLLAR],
  [tagBudget("team", "ads"), 3n * DOLLAR],
]);
const subject = { clientKey: "k", tags: {} };

let server: RedisServer;
let admin: Redis;
let spend: FakeSpend;
let states: RedisState[] = [];
let views: SharedBudgets[] = [];

beforeAll(async () => {
  server = await startRedis();
  admin = new Redis(server.url);
  spend = new FakeSpend();
  states = [0, 1, 2].map(() => createRedisState({ url: server.url, spend, log: captureLog(), commandTimeoutMs: 200, heartbeatMs: 200, wallClock: () => NOW }));
  await Promise.all(states.map((s) => s.started()));
  await waitFor(() => states.every((s) => s.status().replicas === 3), 3_000);
});

afterAll(async () => {
  await Promise.all(states.map((s) => s.close()));
  admin.disconnect();
  await server.close();
});

beforeEach(async () => {
  await admin.eval("for _, k in ipairs(redis.call('KEYS', 'llmgw:budget:*')) do redis.call('DEL', k) end return 0", 0);
  spend.global = 0n;
  spend.keys.clear();
  spend.tags.clear();
  spend.calls = 0;
  views = await Promise.all(states.map((s) => s.budgets(LIMITS)));
});

const view = (i: number): SharedBudgets => {
  const v = views[i];
  if (!v) throw new Error("no view");
  return v;
};
const reserve = async (i: number, picos: bigint, who = subject) => view(i).reserve(who, picos, NOW);
const held = async (i: number, picos: bigint): Promise<BudgetReservation> => {
  const answer = await reserve(i, picos);
  if (!answer.ok || !answer.reservation) throw new Error(`refused: ${JSON.stringify(answer, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`);
  return answer.reservation;
};

function row(cost: bigint, clientKey = "k", tags: Record<string, string> = {}, timeMs = NOW): LedgerRecord {
  return {
    uid: "0".repeat(32), timeMs, requestId: "r", clientKey, tags, route: undefined, model: "m", provider: "p", inputTokens: 1, outputTokens: 1,
    cachedInputTokens: undefined, cacheWriteTokens: undefined, usageUnknown: false, usageBasis: "reported", costPicos: cost, latencyMs: 1, ttftMs: undefined,
    outcome: "succeeded", attempt: 1, failover: false, retry: false, hedge: false, streamed: false, errorKind: undefined,
    request: { outcome: "succeeded", latencyMs: 1, ttftMs: undefined },
  };
}

describe.skipIf(!hasSharedServices())("budgets shared in Redis by three replicas", () => {
  it("counts every replica's reservations: the key's $1 stops the fourth $0.30 request, whichever replica takes it", async () => {
    await held(0, (3n * DOLLAR) / 10n);
    await held(1, (3n * DOLLAR) / 10n);
    const third = await held(2, (3n * DOLLAR) / 10n);
    await held(0, (3n * DOLLAR) / 10n); // 0.9 held < 1: admitted (overshoot bounded by one worst case)
    const refused = await reserve(1, 1n);
    expect(refused).toEqual({ ok: false, scope: clientKeyBudget("k"), spentPicos: (12n * DOLLAR) / 10n, budgetPicos: DOLLAR, resetsAt: NEXT_MONTH });
    view(2).release(third);
    await sleep(50);
    expect((await reserve(1, 1n)).ok).toBe(true);
  });

  it("stops within one worst case per replica under concurrent load, committed spend counted once", async () => {
    const worst = DOLLAR / 10n;
    const real = DOLLAR / 20n;
    let admitted = 0;
    const replica = async (i: number): Promise<void> => {
      for (;;) {
        const answer = await reserve(i, worst);
        if (!answer.ok) return;
        admitted++;
        await sleep(5);
        view(i).add([row(real)]);
        if (answer.reservation) view(i).release(answer.reservation);
      }
    };
    await Promise.all([0, 1, 2].map(replica));
    await sleep(50);
    const spent = BigInt((await admin.get("llmgw:budget:2026-12:key:k:spent")) ?? "-1");
    expect(spent).toBe(BigInt(admitted) * real);
    expect(spent).toBeGreaterThanOrEqual(DOLLAR - 3n * worst);
    expect(spent).toBeLessThan(DOLLAR + 3n * worst);
  });

  it("compares money exactly beyond 2^53 pico-dollars", async () => {
    const big = 20_000n * DOLLAR; // 2e16 picos: not exact as a double
    const limits = new Map([[GLOBAL_BUDGET, big]]);
    spend.global = big - 2n;
    const v = await states[0]?.budgets(limits);
    expect(await v?.reserve(subject, 1n, NOW)).toMatchObject({ ok: true });
    expect(await v?.reserve(subject, 1n, NOW)).toMatchObject({ ok: true });
    expect(await v?.reserve(subject, 1n, NOW)).toMatchObject({ ok: false, spentPicos: big });
  });

  it("seeds missing counters from the ledger once for concurrent requests, and again after Redis lost them", async () => {
    spend.keys.set("k", (7n * DOLLAR) / 10n);
    spend.tags.set("team", new Map([["ads", 2n * DOLLAR]]));
    spend.delayMs = 30;
    const answers = await Promise.all([0, 1, 2, 0, 1, 2].map((i) => reserve(i, DOLLAR / 100n, { clientKey: "k", tags: { team: "ads" } })));
    spend.delayMs = 0;
    expect(answers.every((a) => a.ok)).toBe(true);
    expect(spend.calls).toBeLessThanOrEqual(3 * 3); // one seed per replica at most (three queries each), not one per request
    expect(await admin.get("llmgw:budget:2026-12:key:k:spent")).toBe(((7n * DOLLAR) / 10n).toString());
    expect(await admin.get("llmgw:budget:2026-12:tag:team=ads:spent")).toBe((2n * DOLLAR).toString());
    expect(await admin.pttl("llmgw:budget:2026-12:key:k:spent")).toBeGreaterThan(NEXT_MONTH - Date.now());

    await admin.flushall();
    spend.keys.set("k", (99n * DOLLAR) / 100n);
    expect(await reserve(1, DOLLAR / 100n)).toMatchObject({ ok: true });
    expect(await reserve(2, 1n)).toMatchObject({ ok: false, scope: clientKeyBudget("k"), spentPicos: DOLLAR });
  });

  it("counts committed rows on every budgeted scope of the row, not on counters Redis does not hold", async () => {
    await held(0, 1n); // seeds the counters at 0
    view(1).add([row(DOLLAR / 4n), row(DOLLAR / 4n), row(DOLLAR / 8n, "other", { team: "ads" }), row(0n)]);
    await sleep(50);
    expect(await admin.get("llmgw:budget:2026-12:key:k:spent")).toBe((DOLLAR / 2n).toString());
    expect(await admin.get("llmgw:budget:2026-12:global:spent")).toBe(((5n * DOLLAR) / 8n).toString());
    view(1).add([row(DOLLAR, "k", {}, Date.UTC(2026, 10, 30))]); // last month: no counter, not created
    await sleep(50);
    expect(await admin.exists("llmgw:budget:2026-11:key:k:spent")).toBe(0);
  });

  it("ignores the late release of a reservation Redis lost when it restarted empty", async () => {
    const before = await held(0, DOLLAR / 2n);
    await admin.flushall();
    await held(0, DOLLAR / 2n);
    view(0).release(before); // of the lost epoch: must not free the new reservation
    await sleep(50);
    await held(1, DOLLAR / 2n);
    expect(await reserve(2, 1n)).toMatchObject({ ok: false, spentPicos: DOLLAR });
  });

  it("stops counting the reservations of a replica that left", async () => {
    const extra = createRedisState({ url: server.url, spend, log: captureLog(), heartbeatMs: 200, wallClock: () => NOW });
    expect(await extra.started()).toBe(true);
    const v = await extra.budgets(LIMITS);
    expect(await v.reserve(subject, DOLLAR, NOW)).toMatchObject({ ok: true });
    expect(await reserve(0, 1n)).toMatchObject({ ok: false });
    await extra.close(); // its requests never release: a crash after the heartbeat expired looks the same
    expect(await reserve(0, 1n)).toMatchObject({ ok: true });
  });

  it("stops counting the reservations of a replica whose heartbeat expired (killed: it never releases)", async () => {
    const crashed = createRedisState({ url: server.url, spend, log: captureLog(), heartbeatMs: 60_000, wallClock: () => NOW });
    try {
      expect(await crashed.started()).toBe(true);
      expect(await (await crashed.budgets(LIMITS)).reserve(subject, DOLLAR, NOW)).toMatchObject({ ok: true });
      const [id] = await admin.hkeys("llmgw:budget:2026-12:key:k:held");
      expect(await reserve(0, 1n)).toMatchObject({ ok: false });
      await admin.zadd("llmgw:replicas", 1, id ?? ""); // its lease ran out
      expect(await reserve(0, 1n)).toMatchObject({ ok: true });
      expect(await admin.hexists("llmgw:budget:2026-12:key:k:held", id ?? "")).toBe(0);
    } finally {
      await crashed.close();
    }
  });

  it("answers at once, without Redis, for a subject without a budgeted scope", async () => {
    const v = await states[0]?.budgets(new Map([[clientKeyBudget("other"), DOLLAR]]));
    expect(await v?.reserve(subject, DOLLAR, NOW)).toEqual({ ok: true, reservation: undefined });
  });
});

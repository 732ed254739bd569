import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { clientKeyBudget } from "../../src/accounting/budget/budget-guard.js";
import type { LedgerRecord } from "../../src/accounting/ledger/ledger-record.js";
import { StateUnavailableError } from "../../src/gateway/shared/shared-state.js";
import type { RedisState } from "../../src/gateway/shared/redis/redis-state.js";
import { createRedisState } from "../../src/gateway/shared/redis/redis-state.js";
import { startRedis } from "../helpers/redis-server.js";
import type { RedisServer } from "../helpers/redis-server.js";
import { FakeSpend, captureLog, clientKey, model, waitFor } from "./kit.js";
import { hasSharedServices } from "../helpers/tools.js";

const TIMEOUT_MS = 150;
const DOLLAR = 1_000_000_000_000n;
const NOW = Date.UTC(2026, 11, 3, 12);
const LIMITS = new Map([[clientKeyBudget("k"), DOLLAR]]);

let server: RedisServer;
let spend: FakeSpend;
let states: RedisState[] = [];
let logs: ReturnType<typeof captureLog>[] = [];
const changes: boolean[][] = [[], [], []];

beforeAll(async () => {
  server = await startRedis();
  spend = new FakeSpend();
  logs = [0, 1, 2].map(() => captureLog());
  states = logs.map((log) => createRedisState({ url: server.url, spend, log, commandTimeoutMs: TIMEOUT_MS, heartbeatMs: 200, wallClock: () => NOW }));
  states.forEach((s, i) => s.onChange((up) => changes[i]?.push(up)));
  await Promise.all(states.map((s) => s.started()));
  await waitFor(() => states.every((s) => s.status().replicas === 3), 3_000);
});

afterAll(async () => {
  await Promise.all(states.map((s) => s.close()));
  await server.close();
});

const state = (i: number): RedisState => {
  const s = states[i];
  if (!s) throw new Error("no state");
  return s;
};

/** Runs `n` takes of `key` on replica `i`, each timed; answers how many passed and the slowest, ms. */
async function takes(i: number, n: number, key = clientKey("k60", 60)): Promise<{ passed: number; slowestMs: number; capacity: number | undefined }> {
  let passed = 0;
  let slowestMs = 0;
  let capacity: number | undefined;
  for (let j = 0; j < n; j++) {
    const t0 = performance.now();
    const refusal = await state(i).keys.take(key, 0, performance.now());
    slowestMs = Math.max(slowestMs, performance.now() - t0);
    if (refusal) capacity = refusal.capacity;
    else passed++;
  }
  return { passed, slowestMs, capacity };
}

const row = (cost: bigint): LedgerRecord => ({
  uid: "1".repeat(32), timeMs: NOW, requestId: "r", clientKey: "k", tags: {}, route: undefined, model: "m", provider: "p", inputTokens: 1, outputTokens: 1,
  cachedInputTokens: undefined, cacheWriteTokens: undefined, usageUnknown: false, usageBasis: "reported", costPicos: cost, latencyMs: 1, ttftMs: undefined,
  outcome: "succeeded", attempt: 1, failover: false, retry: false, hedge: false, streamed: false, errorKind: undefined, request: { outcome: "succeeded", latencyMs: 1, ttftMs: undefined },
});

describe.skipIf(!hasSharedServices())("the shared state when Redis goes away and comes back", () => {
  it("falls back to a local share of the limits, refuses budgets, logs and tells once, and shares again by itself", async () => {
    const view = await state(0).budgets(LIMITS);
    expect(await view.reserve({ clientKey: "k", tags: {} }, 1n, NOW)).toMatchObject({ ok: true });
    await server.stop();
    await waitFor(() => states.every((s) => !s.status().up), 2_000);

    const local = await takes(0, 25);
    expect(local.passed).toBe(20); // 60 / 3 replicas
    expect(local.capacity).toBe(20);
    expect(local.slowestMs).toBeLessThan(TIMEOUT_MS);
    const m = model("d30", 30);
    const deployment = await Promise.all(Array.from({ length: 12 }, () => state(1).deployments?.take(m, 1)));
    expect(deployment.filter((r) => r === undefined)).toHaveLength(10);
    expect(deployment.at(-1)).toMatchObject({ reason: "rpm" });
    await expect(view.reserve({ clientKey: "k", tags: {} }, 1n, NOW)).rejects.toBeInstanceOf(StateUnavailableError);
    view.add([row(DOLLAR / 2n)]); // not countable now: the counters are set from the ledger once Redis is back
    state(2).deployments?.cooldown(m, 100);

    expect(state(0).status()).toEqual({ up: false, replicas: 3, fallbacks: { keys: 25, budgets: 1, deployments: 0 }, failedWrites: 1 });
    expect(state(1).status().fallbacks.deployments).toBe(12);
    expect(state(2).status().failedWrites).toBe(1);
    for (const log of logs) expect(log.entries.filter((e) => e.level === "warn")).toHaveLength(1);
    expect(changes).toEqual([[true, false], [true, false], [true, false]]); // up at the first connection, then down

    spend.keys.set("k", (9n * DOLLAR) / 10n);
    await server.start();
    await waitFor(() => states.every((s) => s.status().up), 5_000);
    expect(changes).toEqual([[true, false, true], [true, false, true], [true, false, true]]);
    for (const log of logs) expect(log.entries.filter((e) => e.msg.includes("available again"))).toHaveLength(1);
    const admin = new Redis(server.url);
    for (let i = 0; i < 50 && (await admin.get("llmgw:budget:2026-12:key:k:spent")) === null; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await admin.get("llmgw:budget:2026-12:key:k:spent")).toBe(((9n * DOLLAR) / 10n).toString());
    admin.disconnect();

    const shared = await Promise.all([0, 1, 2].map((i) => takes(i, 25)));
    expect(shared.reduce((sum, t) => sum + t.passed, 0)).toBe(60); // fresh shared buckets: Redis restarted empty
    // Every refusal names the whole shared limit again (a replica that took fast enough may have met none).
    const capacities = shared.flatMap((t) => (t.capacity === undefined ? [] : [t.capacity]));
    expect(capacities.length).toBeGreaterThan(0);
    expect(new Set(capacities)).toEqual(new Set([60]));
  });

  it("answers within the command timeout when Redis hangs, then shares again once it answers (and takes the releases kept meanwhile)", async () => {
    const key = clientKey("hang", 600);
    const limits = new Map([[clientKeyBudget("h"), DOLLAR]]);
    const views = await Promise.all([state(0).budgets(limits), state(1).budgets(limits)]);
    const whole = await views[0]?.reserve({ clientKey: "h", tags: {} }, DOLLAR, NOW);
    expect(await views[1]?.reserve({ clientKey: "h", tags: {} }, 1n, NOW)).toMatchObject({ ok: false });
    expect((await takes(0, 1, key)).passed).toBe(1);
    server.pause();
    try {
      const t0 = performance.now();
      expect(await state(0).keys.take(key, 0, performance.now())).toBeUndefined();
      expect(performance.now() - t0).toBeLessThan(TIMEOUT_MS + 100);
      expect(state(0).status().up).toBe(false);
      const rest = await takes(0, 10, key);
      expect(rest.slowestMs).toBeLessThan(TIMEOUT_MS); // down: no round trip is tried (one would wait the whole timeout)
      if (whole?.ok && whole.reservation) views[0]?.release(whole.reservation); // kept until Redis answers
    } finally {
      server.resume();
    }
    await waitFor(() => state(0).status().up && state(1).status().up, 5_000);
    let answer;
    for (let i = 0; i < 50; i++) {
      answer = await views[1]?.reserve({ clientKey: "h", tags: {} }, 1n, NOW);
      if (answer?.ok) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(answer).toMatchObject({ ok: true });
  });

  it("starts with Redis unreachable: the local share of the hinted replicas, budgets refused, then connects by itself", async () => {
    const spare = await startRedis({ password: "s3cret" });
    await spare.stop();
    const log = captureLog();
    const lonely = createRedisState({ url: spare.url, spend, log, commandTimeoutMs: TIMEOUT_MS, heartbeatMs: 200, replicasHint: 4 });
    try {
      expect(await lonely.started()).toBe(false);
      expect(lonely.status()).toMatchObject({ up: false, replicas: 4 });
      expect(await lonely.keys.take(clientKey("k8", 8), 0, 0)).toBeUndefined();
      expect(await lonely.keys.take(clientKey("k8", 8), 0, 0)).toBeUndefined();
      expect(await lonely.keys.take(clientKey("k8", 8), 0, 0)).toMatchObject({ capacity: 2 });
      await expect((await lonely.budgets(LIMITS)).reserve({ clientKey: "k", tags: {} }, 1n, NOW)).rejects.toBeInstanceOf(StateUnavailableError);
      await spare.start();
      await waitFor(() => lonely.status().up, 5_000);
      expect(lonely.status().replicas).toBe(1);
      expect(log.entries.map((e) => e.level)).toEqual(["warn", "info"]);
      expect(JSON.stringify(log.entries)).not.toContain("s3cret");
    } finally {
      await lonely.close();
      await spare.close();
    }
  });
});

/**
 * Measures the cost of the shared state's round trips against a real redis-server (not a test: build with
 * `npx tsc -p tsconfig.json --outDir DIR` and run `node DIR/test/shared-redis/measure-take.js`): CPU and wall time of
 * the gateway process per call, Redis's own CPU per call (INFO cpu), sequential and with 64 calls in flight, for a
 * key take, a budget reserve, both per admission (awaited one after the other, or issued in the same tick: one round
 * trip) and a deployment take.
 */
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { clientKeyBudget } from "../../src/accounting/budget/budget-guard.js";
import { createRedisState } from "../../src/gateway/shared/redis/redis-state.js";
import { startRedis } from "../helpers/redis-server.js";
import { FakeSpend, captureLog, clientKey, model } from "./kit.js";

const N = Number(process.env["N"] ?? 20_000);
const NOW = Date.now();

async function redisCpuUs(admin: Redis): Promise<number> {
  const info = await admin.info("cpu");
  const get = (name: string): number => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  return (get("used_cpu_user") + get("used_cpu_sys")) * 1e6;
}

async function measure(name: string, admin: Redis, concurrency: number, op: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 1_000; i++) await op();
  const latencies: number[] = [];
  const cpu0 = process.cpuUsage();
  const redis0 = await redisCpuUs(admin);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < N) {
        const s = performance.now();
        await op();
        latencies.push(performance.now() - s);
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const redisUs = (await redisCpuUs(admin)) - redis0;
  latencies.sort((a, b) => a - b);
  const pct = (p: number): string => ((latencies[Math.floor((latencies.length - 1) * p)] ?? 0) * 1000).toFixed(0);
  const row = [
    name.padEnd(34),
    `c=${String(concurrency).padStart(2)}`,
    `${((N / wallMs) * 1000).toFixed(0).padStart(6)} ops/s`,
    `wall p50 ${pct(0.5).padStart(5)} µs p99 ${pct(0.99).padStart(5)} µs`,
    `gateway CPU ${(((cpu.user + cpu.system) / N) | 0).toString().padStart(3)} µs/op`,
    `redis CPU ${((redisUs / N) | 0).toString().padStart(3)} µs/op`,
  ];
  console.log(row.join("  "));
}

async function main(): Promise<void> {
  const server = await startRedis();
  const admin = new Redis(server.url);
  const state = createRedisState({ url: server.url, spend: new FakeSpend(), log: captureLog() });
  try {
    if (!(await state.started())) throw new Error("redis did not answer");
    const key = clientKey("bench", 1e9, 1e12);
    const budgets = await state.budgets(new Map([[clientKeyBudget("bench"), 10n ** 18n]]));
    const subject = { clientKey: "bench", tags: {} };
    const deployment = model("bench", 1e9, 1e12);
    const ops: [string, () => Promise<unknown>][] = [
      ["PING (the bare round trip)", () => admin.ping()],
      ["key take (rpm + tpm)", async () => state.keys.take(key, 100, 0)],
      ["budget reserve (1 scope)", async () => budgets.reserve(subject, 1n, NOW)],
      ["admission: take, then reserve", async () => (await state.keys.take(key, 100, 0)) ?? budgets.reserve(subject, 1n, NOW)],
      ["admission: take + reserve same tick", () => Promise.all([state.keys.take(key, 100, 0), budgets.reserve(subject, 1n, NOW)])],
      ["deployment take (rpm + tpm)", () => state.deployments?.take(deployment, 100) ?? Promise.resolve()],
    ];
    console.log(`redis-server 127.0.0.1, ${N} calls each, one client process (ioredis 5.9.2)`);
    for (const concurrency of [1, 64]) for (const [name, op] of ops) await measure(name, admin, concurrency, op);
  } finally {
    await state.close();
    admin.disconnect();
    await server.close();
  }
}

await main();

/**
 * One case of the workers benchmark: a fresh gateway group (N workers, with or without Redis, with a fresh ledger),
 * checked, warmed up, then its load runs, each with the group's CPU per call, redis-server's CPU and command count,
 * and the peak resident memory of every process of the group.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Drivers } from "./drivers.js";
import type { LoadResult } from "./loadgen.js";
import { grpcCompleteFrame } from "./payloads.js";
import { sample, writeConfig } from "./procs.js";
import type { Proc } from "./procs.js";
import { costed } from "./scenario.js";
import type { CostedRun } from "./scenario.js";
import { grpcUnary, h2session } from "./stream-client.js";
import { cpuSplit, startGroup, stopGroup, trackGroupRss } from "./workers-group.js";
import type { CpuSplit, GroupRss } from "./workers-group.js";
import type { BenchRedis } from "./workers-redis.js";

/** How big each step is (the full run and the smoke run differ only here). */
export interface WorkersSettings {
  readonly repetitions: number;
  readonly warmupS: number;
  /** Seconds of each run at concurrency 1. */
  readonly c1Seconds: number;
  /** Seconds of each run at concurrency 64. */
  readonly c64Seconds: number;
}

/** gRPC at c=64: h2load connections x streams per connection (as bench/run.ts; at least the worker count). */
export const GRPC_C64 = { connections: 16, streams: 4 } as const;
/** Connect JSON at c=64: wrk connections (HTTP/1.1, one request in flight each). */
export const CONNECT_C64 = 64;

/** The load runs a case can make. */
export type RunName = "grpcC1" | "grpcC64" | "connectC64";

/** The cases, each a fresh gateway group: plain (item 1), and with the bench key limited (item 2). */
export type CaseName = "w1" | "w2" | "w1-local" | "w1-redis" | "w2-local" | "w2-redis";

/** How a case is set up and what it runs. */
export interface CaseSpec {
  readonly name: CaseName;
  readonly workers: number;
  /** The bench key has an rpm and a monthly budget (never reached), so every request passes admission's limits. */
  readonly limited: boolean;
  readonly redis: boolean;
  readonly runs: readonly RunName[];
}

/** Every case, in the order of a repetition (odd repetitions run them in reverse). */
export const CASES: readonly CaseSpec[] = [
  { name: "w1", workers: 1, limited: false, redis: false, runs: ["grpcC64", "connectC64"] },
  { name: "w2", workers: 2, limited: false, redis: false, runs: ["grpcC64", "connectC64"] },
  { name: "w1-local", workers: 1, limited: true, redis: false, runs: ["grpcC1", "grpcC64"] },
  { name: "w1-redis", workers: 1, limited: true, redis: true, runs: ["grpcC1", "grpcC64"] },
  { name: "w2-local", workers: 2, limited: true, redis: false, runs: ["grpcC64"] },
  { name: "w2-redis", workers: 2, limited: true, redis: true, runs: ["grpcC64"] },
];

/** The bench key's limits when limited: far above anything the bench sends in a minute or a month. */
export const KEY_LIMITS = { rpm: 100_000_000, monthlyBudgetUsd: 1_000_000 } as const;

/** A costed run with redis-server's share. */
export interface Measured extends CostedRun {
  /** redis-server CPU time per request, µs (cases with Redis). */
  readonly redisCpuUsPerReq?: number;
  /** Redis commands per request, those that scripts ran inside Redis included (cases with Redis). */
  readonly redisCmdsPerReq?: number;
  /** Scripts (EVAL, EVALSHA) sent per request; several may share one round trip when pipelined (cases with Redis). */
  readonly redisScriptsPerReq?: number;
  /** Calls per request of each Redis command (cases with Redis). */
  readonly redisCommands?: Readonly<Record<string, number>>;
  /** CPU seconds of each serving process (with its ledger processes) during the run: how evenly the work was spread. */
  readonly workerCpuS: readonly number[];
  /** The group's CPU per call (µs) by where it ran: event loops, other threads, ledger processes, primary. */
  readonly cpuSplitUs?: CpuSplit;
}

/** What one case measured. */
export interface CaseResult {
  readonly name: CaseName;
  readonly workers: number;
  readonly redis: boolean;
  readonly runs: Partial<Record<RunName, Measured>>;
  /** Peak RSS of each process of the group from the end of start-up to the end of its last run. */
  readonly rss: GroupRss;
}

/** What a case needs around it. */
export interface CaseContext {
  readonly drivers: Drivers;
  readonly mock: Proc;
  readonly sinkPort: number;
  /** Present once Redis could be started (and the build reads `state.redis`). */
  readonly redis: BenchRedis | undefined;
  readonly tmpDir: string;
  readonly settings: WorkersSettings;
  readonly log: (m: string) => void;
}

let configs = 0;

/** Writes a case's config (bench/procs.ts's, plus the key's limits and the shared state) with a ledger of its own. */
function caseConfig(ctx: CaseContext, spec: CaseSpec): string {
  const dir = join(ctx.tmpDir, `case-${++configs}-${spec.name}`);
  mkdirSync(dir);
  const path = writeConfig(dir, ctx.mock.port);
  const config = JSON.parse(readFileSync(path, "utf8")) as { auth: { keys: Record<string, Record<string, unknown>> }; state?: unknown };
  const key = config.auth.keys["bench"];
  if (spec.limited && key) Object.assign(key, KEY_LIMITS);
  if (spec.redis) {
    if (!ctx.redis) throw new Error("a Redis case without a redis-server");
    config.state = { redis: ctx.redis.url };
  }
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

/** How long a worker may answer UNAVAILABLE after it listens (its Redis connection is made in the background), ms. */
const READY_WAIT_MS = 15_000;

/**
 * One gRPC call on a connection of its own per worker (node:cluster hands each new connection to the next worker),
 * retried while the worker answers UNAVAILABLE (it listens before its shared state has connected) for a bounded time.
 */
async function verify(port: number, workers: number): Promise<void> {
  const deadline = performance.now() + READY_WAIT_MS;
  for (let i = 0; i < workers; i++) {
    for (;;) {
      const s = await h2session(port);
      let r: Awaited<ReturnType<typeof grpcUnary>>;
      try {
        r = await grpcUnary(s, grpcCompleteFrame("bench"));
      } finally {
        s.close();
      }
      if (r.status === "0" && r.text.length > 0) break;
      if (r.status !== "14" || performance.now() > deadline) throw new Error(`gateway Complete failed: status ${r.status} ${r.message}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function step(ctx: CaseContext, port: number, run: RunName): () => Promise<LoadResult> {
  const { drivers: d, settings: s } = ctx;
  if (run === "grpcC1") return () => d.grpc(port, 1, 1, { seconds: s.c1Seconds });
  if (run === "grpcC64") return () => d.grpc(port, GRPC_C64.connections, GRPC_C64.streams, { seconds: s.c64Seconds });
  return () => d.connect(port, CONNECT_C64, s.c64Seconds);
}

/** The commands that run a script (however many commands the script runs inside Redis). */
const SCRIPT_COMMANDS = ["eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"] as const;

/** Calls per request of each command between two INFO commandstats (the bench's own INFO left out). */
function perRequest(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>, requests: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, calls] of Object.entries(after)) {
    const n = calls - (before[name] ?? 0) - (name === "info" ? 1 : 0);
    if (n > 0) out[name] = n / requests;
  }
  return out;
}

/** CPU seconds of a process and its children so far; NaN once it has ended. */
function cpuOf(pid: number): number {
  try {
    return sample(pid).cpuS;
  } catch {
    return Number.NaN;
  }
}

/** Runs one case from start to stop of its group. */
export async function runCase(ctx: CaseContext, spec: CaseSpec): Promise<CaseResult> {
  const config = caseConfig(ctx, spec);
  const t0 = performance.now();
  const group = await startGroup(config, spec.workers, "sampled-off", ctx.sinkPort);
  ctx.log(`${spec.name}: ${spec.workers} worker(s)${spec.redis ? " with Redis" : ""} listening after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  try {
    const rss = trackGroupRss(group);
    await verify(group.port, spec.workers);
    await ctx.drivers.grpc(group.port, GRPC_C64.connections, GRPC_C64.streams, { seconds: ctx.settings.warmupS });
    if (spec.runs.includes("connectC64")) await ctx.drivers.connect(group.port, CONNECT_C64, ctx.settings.warmupS);
    const runs: Partial<Record<RunName, Measured>> = {};
    for (const run of spec.runs) {
      const redis = ctx.redis;
      const redisBefore = spec.redis && redis ? { cpuS: sample(redis.pid).cpuS, cmds: await redis.commands() } : undefined;
      const serving = group.servingPids();
      const servingBefore = serving.map(cpuOf);
      const splitBefore = cpuSplit(group);
      const measured = await costed(group, ctx.mock, step(ctx, group.port, run));
      const workerCpuS = serving.map((pid, i) => cpuOf(pid) - (servingBefore[i] ?? 0));
      const splitAfter = cpuSplit(group);
      const us = (key: keyof CpuSplit): number => ((splitAfter[key] - splitBefore[key]) * 1e6) / Math.max(1, measured.load.ok);
      const cpuSplitUs: CpuSplit = { mainThreads: us("mainThreads"), otherThreads: us("otherThreads"), children: us("children"), primary: us("primary") };
      if (redisBefore && redis) {
        const ok = Math.max(1, measured.load.ok);
        const redisCpuUsPerReq = ((sample(redis.pid).cpuS - redisBefore.cpuS) * 1e6) / ok;
        const redisCommands = perRequest(redisBefore.cmds, await redis.commands(), ok);
        const sum = (names: readonly string[]): number => names.reduce((a, n) => a + (redisCommands[n] ?? 0), 0);
        runs[run] = { ...measured, workerCpuS, cpuSplitUs, redisCpuUsPerReq, redisCmdsPerReq: sum(Object.keys(redisCommands)), redisScriptsPerReq: sum(SCRIPT_COMMANDS), redisCommands };
      } else runs[run] = { ...measured, workerCpuS, cpuSplitUs };
      ctx.log(`  ${spec.name} ${run}: ${measured.load.reqPerS.toFixed(0)} req/s, p50 ${measured.load.latency.p50.toFixed(3)} ms, ${measured.cpuUsPerReq.toFixed(0)} µs CPU/req${measured.load.failed > 0 ? `, ${measured.load.failed} FAILED` : ""}`);
    }
    return { name: spec.name, workers: spec.workers, redis: spec.redis, runs, rss: rss.stop() };
  } finally {
    await stopGroup(group);
  }
}

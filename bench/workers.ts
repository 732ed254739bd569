/**
 * The workers and Redis benchmark (issue 19): `serve --workers 2` against one worker (gRPC and Connect, c=64), the
 * cost of the Redis round trip per request (c=1, c=64, and two workers), and the resident memory of every process of
 * the group. The mock provider, the OTLP sink and redis-server each run in their own process. Writes bench/WORKERS.md
 * and bench/results-workers.json.
 * Run: npm run bench:workers [-- --reps=N --out=PATH]; smoke (seconds, writes only to a temp dir): BENCH_SMOKE=1
 * npm run bench:workers, or -- --smoke. Re-render the report from stored figures: node dist/bench/workers.js
 * --render=bench/results-workers.json.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createDrivers } from "./drivers.js";
import { describeMachine, load } from "./machine.js";
import { calibrate, reference } from "./workers-calibrate.js";
import { startMock, startSink } from "./procs.js";
import type { Proc } from "./procs.js";
import { CASES, runCase } from "./workers-measure.js";
import type { CaseContext, CaseResult, WorkersSettings } from "./workers-measure.js";
import { REDIS_BINARY, startBenchRedis } from "./workers-redis.js";
import type { BenchRedis } from "./workers-redis.js";
import { renderWorkersReport, workersProblems } from "./workers-report.js";
import type { WorkersRun } from "./workers-report.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The compiled reader of `state` (absent in a build without shared state in Redis). */
const STATE_READER = fileURLToPath(new URL("../src/config/state.js", import.meta.url));

const FULL: WorkersSettings = { repetitions: 3, warmupS: 3, c1Seconds: 5, c64Seconds: 10 };
const SMOKE: WorkersSettings = { repetitions: 1, warmupS: 1, c1Seconds: 1, c64Seconds: 1 };

function option(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function settings(smoke: boolean): WorkersSettings {
  const reps = Number(option("reps") ?? Number.NaN);
  const base = smoke ? SMOKE : FULL;
  return Number.isInteger(reps) && reps > 0 ? { ...base, repetitions: reps } : base;
}

/** Re-renders WORKERS.md from a stored results-workers.json, without measuring. */
function render(path: string): number {
  const run = JSON.parse(readFileSync(path, "utf8")) as WorkersRun;
  const out = option("out") ?? join(ROOT, "bench", "WORKERS.md");
  writeFileSync(out, renderWorkersReport(run));
  process.stderr.write(`rendered ${out} from ${path}\n`);
  return 0;
}

async function main(): Promise<number> {
  const renderFrom = option("render");
  if (renderFrom) return render(renderFrom);
  const smoke = process.env["BENCH_SMOKE"] === "1" || process.argv.includes("--smoke");
  const s = settings(smoke);
  const started = Date.now();
  const log = (m: string): void => void process.stderr.write(`[bench:workers ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${m}\n`);
  const tmp = mkdtempSync(join(tmpdir(), "gateway-bench-workers-"));
  const procs: Proc[] = [];
  let redis: BenchRedis | undefined;
  try {
    const machine = describeMachine(ROOT);
    const loadBefore = load();
    log(`load average ${loadBefore}${smoke ? " (smoke run)" : ""}`);
    const mock = await startMock(smoke ? 200 : 1000, smoke ? 5 : 12);
    procs.push(mock);
    const sink = await startSink();
    procs.push(sink);
    let redisInfo: WorkersRun["redis"];
    if (!existsSync(STATE_READER)) redisInfo = { skipped: "this build has no shared state in Redis (no src/config/state.ts)" };
    else if (!existsSync(REDIS_BINARY)) redisInfo = { skipped: `no redis-server at ${REDIS_BINARY} (Debian package redis-server; or set REDIS_SERVER)` };
    else {
      redis = await startBenchRedis(tmp);
      redisInfo = { version: redis.version };
      log(`redis-server ${redis.version} on port ${redis.port}`);
    }
    const ctx: CaseContext = { drivers: createDrivers(tmp, mock.port), mock, sinkPort: sink.port, redis, tmpDir: tmp, settings: s, log };
    const calibrateS = smoke ? 1 : 5;
    log("the machine's speed: the mock alone, the transport fast path alone");
    const before = await calibrate(ctx.drivers, calibrateS);
    const cases = CASES.filter((c) => !c.redis || redis);
    const reps: CaseResult[][] = [];
    for (let i = 0; i < s.repetitions; i++) {
      log(`repetition ${i + 1} of ${s.repetitions} (load average ${load()})`);
      const order = i % 2 === 0 ? cases : [...cases].reverse();
      const results: CaseResult[] = [];
      for (const spec of order) results.push(await runCase(ctx, spec));
      reps.push(results);
    }
    log("the machine's speed again");
    const calibration = { before, after: await calibrate(ctx.drivers, calibrateS), reference: reference(join(ROOT, "bench", "results.json")) };
    const problems = workersProblems(reps);
    const run: WorkersRun = { date: new Date().toISOString(), smoke, settings: s, machine, redis: redisInfo, loadBefore, loadAfter: load(), calibration, reps, durationS: (Date.now() - started) / 1000, problems };
    for (const p of problems) log(`PROBLEM: ${p}`);
    const report = renderWorkersReport(run);
    const out = smoke ? join(tmpdir(), `gateway-bench-workers-smoke-${process.pid}.md`) : (option("out") ?? join(ROOT, "bench", "WORKERS.md"));
    mkdirSync(dirname(out), { recursive: true });
    // The figures first: a report can be rendered again from them (--render), a lost run cannot.
    if (!smoke) writeFileSync(out.replace(/WORKERS\.md$/, "results-workers.json").replace(/\.md$/, ".json"), `${JSON.stringify(run, null, 1)}\n`);
    writeFileSync(out, report);
    log(`wrote ${out} (${run.durationS.toFixed(0)} s)`);
    if (smoke) process.stdout.write(report);
    return problems.length > 0 ? 1 : 0;
  } finally {
    await redis?.stop();
    for (const p of procs.reverse()) await p.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

// A signal to the bench alone (not to its process group) still ends every child: exit runs the exit hooks that kill them.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    process.stderr.write(`bench:workers: ${signal}, stopping every child process\n`);
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:workers failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);

/**
 * The gateway benchmark: mock provider, OTLP sink and gateway each in their own process; h2load (gRPC),
 * wrk (Connect JSON over HTTP/1.1) and a Node HTTP/2 client (streams) as load; direct calls to the mock as
 * the baseline; then the OpenAI door beside a peer gateway (bench/door-compare.ts). Writes bench/RESULTS.md and
 * bench/results.json.
 * Run: npm run bench [-- --reps=N --soak-seconds=S --out=PATH]; smoke (seconds, writes only to a temp dir):
 * BENCH_SMOKE=1 npm run bench, or npm run bench -- --smoke. Re-render a report from stored figures:
 * node dist/bench/run.js --render=bench/results.json.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { COMPARE_FULL, COMPARE_SMOKE, compareDoorAndPeer, compareProblems } from "./door-compare.js";
import type { CompareRun } from "./door-compare.js";
import { createDrivers } from "./drivers.js";
import { describeMachine, load } from "./machine.js";
import { startMock, startSink, writeConfig } from "./procs.js";
import type { Proc } from "./procs.js";
import { renderReport } from "./report.js";
import type { BenchRun } from "./report.js";
import { readyGateway, repetition } from "./scenario.js";
import type { RepResult, Settings } from "./scenario.js";
import { soak } from "./soak.js";
import { problems } from "./summary.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const FULL: Settings = { repetitions: 3, warmupS: 3, c1Requests: 3000, c1Seconds: 5, c64Seconds: 10, ttftStreams: 1000, openStreams: 1000, soakSeconds: 600, soakSegmentS: 5, idleSettleMs: 2000 };
const SMOKE: Settings = { repetitions: 1, warmupS: 1, c1Requests: 100, c1Seconds: 1, c64Seconds: 1, ttftStreams: 20, openStreams: 50, soakSeconds: 3, soakSegmentS: 1, idleSettleMs: 200 };

function option(name: string): string | undefined {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

function settings(smoke: boolean): Settings {
  const base = smoke ? SMOKE : FULL;
  const reps = option("reps");
  const soakS = option("soak-seconds");
  return { ...base, ...(reps ? { repetitions: Number(reps) } : {}), ...(soakS ? { soakSeconds: Number(soakS) } : {}) };
}

/** Re-renders a report from a stored results.json (after a change to the report's format), without measuring. */
function render(path: string): number {
  const stored = JSON.parse(readFileSync(path, "utf8")) as BenchRun;
  // A run from before the door-vs-peer step keeps the comparison run alone since (bench:peer), if there is one.
  const peerPath = join(ROOT, "bench", "results-peer.json");
  const run: BenchRun = stored.peer || !existsSync(peerPath) ? stored : { ...stored, peer: JSON.parse(readFileSync(peerPath, "utf8")) as CompareRun };
  let before: BenchRun | undefined;
  try {
    before = JSON.parse(readFileSync(join(ROOT, "bench", "results-before.json"), "utf8")) as BenchRun;
  } catch {
    before = undefined;
  }
  const out = option("out") ?? join(ROOT, "bench", "RESULTS.md");
  writeFileSync(out, renderReport(run, before, problems(run)));
  process.stderr.write(`rendered ${out} from ${path}\n`);
  return 0;
}

async function main(): Promise<number> {
  const renderFrom = option("render");
  if (renderFrom) return render(renderFrom);
  const smoke = process.env["BENCH_SMOKE"] === "1" || process.argv.includes("--smoke");
  const s = settings(smoke);
  const started = Date.now();
  const log = (m: string): void => {
    process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${m}\n`);
  };
  const tmp = mkdtempSync(join(tmpdir(), "gateway-bench-"));
  const procs: Proc[] = [];
  try {
    const machine = describeMachine(ROOT);
    const loadBefore = load();
    log(`load average ${loadBefore}${smoke ? " (smoke run)" : ""}`);
    // Streams of "bench-hold" stay open long enough to open all of them: one chunk per second.
    const mock = await startMock(smoke ? 200 : 1000, smoke ? 5 : 12);
    procs.push(mock);
    const sink = await startSink();
    procs.push(sink);
    const config = writeConfig(tmp, mock.port);
    const drivers = createDrivers(tmp, mock.port);
    const reps: RepResult[] = [];
    for (let i = 0; i < s.repetitions; i++) {
      log(`repetition ${i + 1} of ${s.repetitions}`);
      reps.push(await repetition(drivers, mock, config, sink.port, s, log));
    }
    log(`soak ${s.soakSeconds} s`);
    const { gw } = await readyGateway(drivers, config, "sampled-off", sink.port, s);
    let soakResult;
    try {
      soakResult = await soak(drivers, gw, s, log);
    } finally {
      await gw.stop();
    }
    log("the OpenAI door beside a peer gateway");
    const peer = await compareDoorAndPeer(mock.port, sink.port, config, tmp, smoke ? COMPARE_SMOKE : COMPARE_FULL, log);
    const run: BenchRun = { date: new Date().toISOString(), smoke, settings: s, machine, loadBefore, loadAfter: load(), reps, soak: soakResult, durationS: (Date.now() - started) / 1000, peer };
    const out = smoke ? join(tmpdir(), `gateway-bench-smoke-${process.pid}.md`) : (option("out") ?? join(ROOT, "bench", "RESULTS.md"));
    let before: BenchRun | undefined;
    try {
      before = JSON.parse(readFileSync(join(ROOT, "bench", "results-before.json"), "utf8")) as BenchRun;
    } catch {
      before = undefined;
    }
    const bad = [...problems(run), ...compareProblems(peer)];
    for (const p of bad) log(`PROBLEM: ${p}`);
    const report = renderReport(run, before, bad);
    writeFileSync(out, report);
    if (!smoke) writeFileSync(out.replace(/RESULTS\.md$/, "results.json").replace(/\.md$/, ".json"), `${JSON.stringify(run, null, 1)}\n`);
    log(`wrote ${out} (${run.durationS.toFixed(0)} s)`);
    if (smoke) process.stdout.write(report);
    return bad.length > 0 ? 1 : 0;
  } finally {
    for (const p of procs.reverse()) await p.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);

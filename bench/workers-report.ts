/** Renders a workers benchmark run as bench/WORKERS.md: the target, workers 2 against 1, the Redis round trip, RSS. */
import type { Calibration, Reference } from "./workers-calibrate.js";
import type { Machine } from "./machine.js";
import { median, mib } from "./stats.js";
import { CONNECT_C64, GRPC_C64, KEY_LIMITS } from "./workers-measure.js";
import type { CpuSplit } from "./workers-group.js";
import type { CaseName, CaseResult, Measured, RunName, WorkersSettings } from "./workers-measure.js";

/** A whole run, as stored in bench/results-workers.json. */
export interface WorkersRun {
  readonly date: string;
  readonly smoke: boolean;
  readonly settings: WorkersSettings;
  readonly machine: Machine;
  /** redis-server's version, or why the Redis cases were not run. */
  readonly redis: { readonly version: string } | { readonly skipped: string };
  readonly loadBefore: string;
  readonly loadAfter: string;
  /** The machine's speed before and after the cases, and in the run of bench/RESULTS.md. */
  readonly calibration?: { readonly before: Calibration; readonly after: Calibration; readonly reference: Reference | undefined };
  /** One entry per repetition: every case it ran. */
  readonly reps: ReadonlyArray<readonly CaseResult[]>;
  readonly durationS: number;
  readonly problems: readonly string[];
}

/** The throughput the issue asks of the group on gRPC at c=64, req/s. */
export const TARGET_RPS = 5000;

const f = (v: number, digits = 2): string => (Number.isFinite(v) ? v.toFixed(digits) : "n/a");
const k = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : "n/a");
const signed = (v: number, digits: number): string => (Number.isFinite(v) ? `${v >= 0 ? "+" : ""}${v.toFixed(digits)}` : "n/a");
const row = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
const table = (head: readonly string[], rows: ReadonlyArray<readonly string[]>): string => [row(head), row(head.map(() => "---")), ...rows.map(row)].join("\n");

/** The median over repetitions of a figure of one case's run (NaN when the case or run is absent). */
export function med(run: WorkersRun, name: CaseName, which: RunName, pick: (m: Measured) => number | undefined): number {
  return median(run.reps.map((cases) => cases.find((c) => c.name === name)?.runs[which]).map((m) => (m ? (pick(m) ?? Number.NaN) : Number.NaN)));
}

/** The median over repetitions of a figure of one case. */
function medCase(run: WorkersRun, name: CaseName, pick: (c: CaseResult) => number | undefined): number {
  return median(run.reps.map((cases) => cases.find((c) => c.name === name)).map((c) => (c ? (pick(c) ?? Number.NaN) : Number.NaN)));
}

/** Problems that make a run's figures meaningless: failures, missing upstream calls, Redis cases that did not use Redis. */
export function workersProblems(reps: ReadonlyArray<readonly CaseResult[]>): string[] {
  const out: string[] = [];
  reps.forEach((cases, i) => {
    for (const c of cases) {
      for (const [which, m] of Object.entries(c.runs)) {
        const what = `rep ${i + 1} ${c.name} ${which}`;
        if (m.load.ok === 0) out.push(`${what}: no successful request`);
        else if (m.load.failed > Math.max(2, 0.001 * m.load.ok)) out.push(`${what}: ${m.load.failed} failed of ${m.load.ok + m.load.failed}`);
        // Calls still in flight when the load generator stops reach the mock without being counted: up to c=64 more.
        const extra = (m.upstreamRatio - 1) * m.load.ok;
        if (m.upstreamRatio < 0.98 || extra > 70 + 0.02 * m.load.ok) out.push(`${what}: ${f(m.upstreamRatio, 3)} upstream calls per request`);
        if (c.redis && !((m.redisScriptsPerReq ?? 0) >= 1)) out.push(`${what}: ${f(m.redisScriptsPerReq ?? Number.NaN, 2)} Redis scripts per request (the Redis path was not taken)`);
        if (c.workers > 1 && m.workerCpuS.filter((s) => s > 0.05).length < c.workers && m.load.ok > 1000) out.push(`${what}: not every worker was busy (${m.workerCpuS.map((s) => f(s, 2)).join(", ")} CPU s)`);
      }
    }
  });
  return out;
}

/** Cores the gateway group kept busy during a run (CPU per call x calls per second). */
function cores(m: Measured): number {
  return (m.cpuUsPerReq * m.load.reqPerS) / 1e6;
}

function machineSection(run: WorkersRun): string {
  const m = run.machine;
  const redis = "version" in run.redis ? `redis-server ${run.redis.version}` : `Redis cases skipped: ${run.redis.skipped}`;
  return [
    `- CPU: ${m.cpu}, ${m.cores} cores; memory ${m.memoryGiB} GiB; ${m.os}`,
    `- code: git ${m.commit ?? "unknown"}; Node ${m.node}; ${redis}`,
    `- load generators: ${m.tools["h2load"] ?? "?"} (h2load), ${m.tools["wrk"] ?? "?"} (wrk)`,
    `- load average (1, 5, 15 min) before ${run.loadBefore}, after ${run.loadAfter}: other work on the machine (other sessions' tests) shares these ${m.cores} cores, as do the load generator, the mock provider and redis-server`,
  ].join("\n");
}

/** CPU per call of the transport fast path now over then (2 = the machine does half the work per CPU second it did). */
function slowdown(run: WorkersRun): number | undefined {
  const c = run.calibration;
  if (!c?.reference) return undefined;
  return median([c.before.fastPathCpuUs, c.after.fastPathCpuUs]) / c.reference.fastPathCpuUs;
}

function speedSection(run: WorkersRun): string {
  const c = run.calibration;
  if (!c) return "Not measured in this run.";
  const ref = c.reference;
  const then = (v: number | undefined, digits: number): string => (ref && v !== undefined ? (digits === 0 ? k(v) : f(v, digits)) : "n/a");
  const one = { rps: med(run, "w1", "grpcC64", (m) => m.load.reqPerS), cpu: med(run, "w1", "grpcC64", (m) => m.cpuUsPerReq) };
  const rows = [
    ["mock alone, h2load --h1, 64 connections: req/s", k(c.before.directRps), k(c.after.directRps), then(ref?.directRps, 0)],
    ["transport fast path alone (no gateway code), 16 x 4: req/s", k(c.before.fastPathRps), k(c.after.fastPathRps), then(ref?.fastPathRps, 0)],
    ["transport fast path alone: server CPU µs/call", f(c.before.fastPathCpuUs, 0), f(c.after.fastPathCpuUs, 0), then(ref?.fastPathCpuUs, 0)],
    ["gateway, one process, gRPC 16 x 4: req/s", k(one.rps), "", then(ref?.grpcRps, 0)],
    ["gateway, one process: CPU µs/call", f(one.cpu, 0), "", then(ref?.grpcCpuUs, 0)],
  ];
  const factor = slowdown(run);
  return [
    table(["measure", "this run, before the cases", "this run, after the cases", `bench/results.json (${ref?.date.slice(0, 10) ?? "absent"})`], rows),
    "",
    factor === undefined
      ? "No reference run to compare with."
      : `Code that did not change (the transport fast path) costs ${f(factor, 2)}x the CPU per call it cost in the reference run: the machine (a shared virtual machine) does that much less work per CPU second today. The gateway's own CPU per call (${f(one.cpu, 0)} µs against ${f(ref?.grpcCpuUs ?? Number.NaN, 0)} µs) moved by ${f(one.cpu / (ref?.grpcCpuUs ?? Number.NaN), 2)}x.`,
  ].join("\n");
}

function targetSection(run: WorkersRun): string {
  const rps = med(run, "w2", "grpcC64", (m) => m.load.reqPerS);
  const one = med(run, "w1", "grpcC64", (m) => m.load.reqPerS);
  const busy = med(run, "w2", "grpcC64", (m) => m.machineBusy);
  const used = { one: med(run, "w1", "grpcC64", cores), two: med(run, "w2", "grpcC64", cores) };
  const met = rps >= TARGET_RPS;
  const lines = [
    table(
      ["target", "goal", "measured (median)", ""],
      [[`gRPC c=64 through \`serve --workers 2\` (${GRPC_C64.connections} connections x ${GRPC_C64.streams} streams)`, `>= ${k(TARGET_RPS)} req/s`, `${k(rps)} req/s`, met ? "met" : "**missed**"]],
    ),
    "",
    `One process (\`--workers 1\`) in the same run: ${k(one)} req/s (the issue quotes 4,323 from bench/RESULTS.md); two workers: ${f(rps / one, 2)}x. ` +
      `The gateway group kept ${f(used.two, 2)} cores busy with two workers, ${f(used.one, 2)} with one; ` +
      `the machine's ${run.machine.cores} cores were ${f(busy * 100, 0)}% busy during the two-worker gRPC run (gateway group, h2load, mock provider and anything else running), load average before/after ${run.loadBefore} / ${run.loadAfter}. ` +
      `Two workers can only go faster than one by the CPU the machine has left beside the load generator and the mock.`,
  ];
  const factor = slowdown(run);
  if (factor !== undefined && !met) {
    lines.push(
      "",
      `A rough estimate, not a measurement: at the reference run's machine speed (the fast path ${f(factor, 2)}x cheaper per call), two workers' ${k(rps)} req/s would scale to about ${k(rps * factor)} req/s, if the run stays CPU-bound and the load generator and the mock scale alike.`,
    );
  }
  return lines.join("\n");
}

function workersSection(run: WorkersRun): string {
  const rows: string[][] = [];
  for (const [which, label, conns] of [
    ["grpcC64", "gRPC unary (h2load)", `${GRPC_C64.connections} x ${GRPC_C64.streams}`],
    ["connectC64", "Connect JSON unary (wrk)", `${CONNECT_C64} x 1`],
  ] as const) {
    const base = med(run, "w1", which, (m) => m.load.reqPerS);
    for (const name of ["w1", "w2"] as const) {
      const g = (p: (m: Measured) => number | undefined): number => med(run, name, which, p);
      const split = g((m) => {
        const total = m.workerCpuS.reduce((a, b) => a + b, 0);
        return m.workerCpuS.length > 1 && total > 0 ? Math.min(...m.workerCpuS) / total : undefined;
      });
      rows.push([
        label,
        name === "w1" ? "1" : "2",
        conns,
        k(g((m) => m.load.reqPerS)),
        name === "w1" ? "1.00" : f(g((m) => m.load.reqPerS) / base, 2),
        f(g((m) => m.load.latency.p50), 3),
        f(g((m) => m.load.latency.p99), 3),
        f(g((m) => m.cpuUsPerReq), 0),
        f(g((m) => m.mockCpuUsPerReq), 0),
        f(g(cores), 2),
        `${f(g((m) => m.machineBusy) * 100, 0)}%`,
        name === "w1" ? "-" : `${f(split * 100, 0)}%`,
      ]);
    }
  }
  const split: string[][] = [];
  for (const name of ["w1", "w2", "w1-local", "w1-redis", "w2-local", "w2-redis"] as const) {
    const g = (p: (s: CpuSplit) => number): number => med(run, name, "grpcC64", (m) => (m.cpuSplitUs ? p(m.cpuSplitUs) : undefined));
    if (!Number.isFinite(g((s) => s.mainThreads))) continue;
    split.push([name, f(med(run, name, "grpcC64", (m) => m.cpuUsPerReq), 0), f(g((s) => s.mainThreads), 0), f(g((s) => s.otherThreads), 0), f(g((s) => s.children), 0), f(g((s) => s.primary), 0)]);
  }
  return [
    table(["protocol", "workers", "connections x streams", "req/s", "vs 1 worker", "p50 ms", "p99 ms", "group CPU µs/call", "mock CPU µs/call", "group cores used", "machine CPU busy", "least busy worker's share of the group's CPU"], rows),
    "",
    "Where the group's CPU per call goes, gRPC c=64 (µs/call; the parts are sampled apart from the total, so they add up to it only roughly):",
    "",
    table(["case", "total", "workers' event loops", "workers' other threads", "ledger processes", "primary"], split),
  ].join("\n");
}

function redisSection(run: WorkersRun): string {
  if (!("version" in run.redis)) return `Not measured: ${run.redis.skipped}.`;
  const rows: string[][] = [];
  for (const [label, local, redis, which] of [
    ["1 worker, gRPC c=1 (1 x 1)", "w1-local", "w1-redis", "grpcC1"],
    [`1 worker, gRPC c=64 (${GRPC_C64.connections} x ${GRPC_C64.streams})`, "w1-local", "w1-redis", "grpcC64"],
    [`2 workers, gRPC c=64 (${GRPC_C64.connections} x ${GRPC_C64.streams})`, "w2-local", "w2-redis", "grpcC64"],
  ] as const) {
    const a = (p: (m: Measured) => number | undefined): number => med(run, local, which, p);
    const b = (p: (m: Measured) => number | undefined): number => med(run, redis, which, p);
    // Added figures are medians of the per-repetition differences (cases of one repetition ran back to back).
    const added = (p: (m: Measured) => number): number =>
      median(
        run.reps.map((cases) => {
          const x = cases.find((c) => c.name === local)?.runs[which];
          const y = cases.find((c) => c.name === redis)?.runs[which];
          return x && y ? p(y) - p(x) : Number.NaN;
        }),
      );
    rows.push([
      label,
      `${k(a((m) => m.load.reqPerS))} / ${k(b((m) => m.load.reqPerS))}`,
      `${f(a((m) => m.load.latency.p50), 3)} / ${f(b((m) => m.load.latency.p50), 3)}`,
      signed(added((m) => m.load.latency.p50), 3),
      `${f(a((m) => m.cpuUsPerReq), 0)} / ${f(b((m) => m.cpuUsPerReq), 0)}`,
      signed(added((m) => m.cpuUsPerReq), 0),
      f(b((m) => m.redisCpuUsPerReq), 1),
      f(b((m) => m.redisScriptsPerReq), 2),
      f(b((m) => m.redisCmdsPerReq), 1),
    ]);
  }
  const last = run.reps.at(-1)?.find((c) => c.name === "w1-redis")?.runs.grpcC64?.redisCommands ?? {};
  const mix = Object.entries(last)
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name.toUpperCase()} ${f(n, 2)}`)
    .join(", ");
  return [
    table(["case", "req/s local / Redis", "p50 ms local / Redis", "added p50 ms", "gateway CPU µs/call local / Redis", "added gateway CPU µs/call", "redis-server CPU µs/call", "Redis scripts/call (EVALSHA sent)", "Redis commands/call (inside scripts included)"], rows),
    "",
    `Redis commands per call, 1 worker at c=64, last repetition (INFO commandstats; EVALSHA/EVAL are the scripts the gateway sends, several of them possibly pipelined in one round trip, and the other commands run inside them): ${mix || "n/a"}.`,
  ].join("\n");
}

function rssSection(run: WorkersRun): string {
  const cases: ReadonlyArray<[CaseName, string]> = [
    ["w1", "1 worker (one plain process)"],
    ["w2", "2 workers"],
    ["w1-local", "1 worker, limited key"],
    ["w1-redis", "1 worker, limited key, Redis"],
    ["w2-local", "2 workers, limited key"],
    ["w2-redis", "2 workers, limited key, Redis"],
  ];
  const rows = cases
    .filter(([name]) => run.reps.some((r) => r.some((c) => c.name === name)))
    .map(([name, label]) => {
      const workers = run.reps.flat().find((c) => c.name === name)?.workers ?? 1;
      const each = Array.from({ length: workers }, (_, i) => `${f(mib(medCase(run, name, (c) => c.rss.workers[i])), 1)} + ${f(mib(medCase(run, name, (c) => c.rss.workerChildren[i])), 1)}`);
      return [label, workers > 1 ? f(mib(medCase(run, name, (c) => c.rss.primary)), 1) : "-", each.join("; "), f(mib(medCase(run, name, (c) => c.rss.total)), 1)];
    });
  return table(["case", "primary MiB", "each worker: its process + its ledger processes, MiB", "group total MiB (peak of the sum)"], rows);
}

function repsSection(run: WorkersRun): string {
  const rows: string[][] = [];
  run.reps.forEach((cases, i) => {
    for (const c of cases) {
      for (const [which, m] of Object.entries(c.runs)) {
        const redis = m.redisCpuUsPerReq === undefined ? "" : `; redis ${f(m.redisCpuUsPerReq, 1)} µs, ${f(m.redisScriptsPerReq ?? Number.NaN, 2)} scripts, ${f(m.redisCmdsPerReq ?? Number.NaN, 1)} cmds`;
        rows.push([String(i + 1), c.name, which, k(m.load.reqPerS), `${f(m.load.latency.p50, 3)} / ${f(m.load.latency.p99, 3)}`, `${f(m.cpuUsPerReq, 0)}${redis}`, `${f(m.machineBusy * 100, 0)}%`, String(m.load.failed)]);
      }
    }
  });
  return table(["rep", "case", "run", "req/s", "p50 / p99 ms", "CPU µs/call", "machine busy", "failed"], rows);
}

/** The report in Markdown. */
export function renderWorkersReport(run: WorkersRun): string {
  const s = run.settings;
  const problems = run.problems.length === 0 ? "None: every run answered every request, each call reached the mock once, every worker took load, and the Redis cases used Redis." : run.problems.map((p) => `- ${p}`).join("\n");
  return `# Workers and Redis benchmark (issue 19)

Generated by \`npm run bench:workers\` on ${run.date} in ${f(run.durationS / 60, 1)} min${run.smoke ? " (SMOKE RUN: seconds, not figures)" : ""}. Every figure is the median of ${s.repetitions} repetitions; each repetition runs every case once (the order reversed in every other repetition), each case a fresh gateway group with a fresh SQLite ledger.

## Machine

${machineSection(run)}

## Set-up

Processes on loopback: the mock OpenAI provider (\`bench/mock-provider.ts\`, its own process, zero latency), the discarding OTLP sink, redis-server (started by the bench on a free port, \`--save '' --appendonly no\`), and the gateway: \`node dist/src/main.js serve --config ... --workers N\` (N = 1 is one plain process; N = 2 is a node:cluster primary that forks 2 workers sharing the port; it hands out whole connections in turn, so every load run uses at least as many connections as workers). The OpenTelemetry SDK runs with \`OTEL_TRACES_SAMPLER=always_off\`, auth is on, every request is written to the SQLite ledger before its answer, as in bench/RESULTS.md. CPU per call is the whole process tree from /proc (primary + workers + their ledger processes) over the requests h2load or wrk counted; redis-server's CPU is measured apart. Runs: warm-up ${s.warmupS} s, c=64 runs ${s.c64Seconds} s (gRPC: h2load ${GRPC_C64.connections} connections x ${GRPC_C64.streams} streams; Connect JSON: wrk ${CONNECT_C64} connections), c=1 runs ${s.c1Seconds} s (h2load 1 connection x 1 stream). The Redis item compares the same config with and without \`state: { redis }\`, the bench key given \`rpm: ${k(KEY_LIMITS.rpm)}\` and \`monthlyBudgetUsd: ${k(KEY_LIMITS.monthlyBudgetUsd)}\` (never reached), so every call takes the key's limits and budget at admission.

## Target

${targetSection(run)}

## The machine's speed

${speedSection(run)}

## 1. \`--workers 2\` against one worker, c=64

${workersSection(run)}

## 2. The Redis round trip per request

Local = the limited key with state in process; Redis = the same with \`state.redis\`. Added = Redis minus local, per repetition, then the median.

${redisSection(run)}

## 3. Resident memory (peak during the case)

Peaks from start-up to the end of the case's last run, sampled every 200 ms. A worker's own process and its ledger processes (the SQLite writer and reader) are shown apart; the group total is the peak of the sum of every process sampled at the same instant.

${rssSection(run)}

## Every run

${repsSection(run)}

## Problems

${problems}
`;
}

/** Renders a benchmark run as bench/RESULTS.md: machine, targets, every figure (medians of the repetitions). */
import type { CompareRun } from "./door-compare.js";
import { renderCompare } from "./door-report.js";
import type { LoadResult } from "./loadgen.js";
import type { Machine } from "./machine.js";
import type { TracingMode } from "./procs.js";
import type { CostedRun, RepResult, Settings } from "./scenario.js";
import type { SoakResult } from "./soak.js";
import { median, mib } from "./stats.js";
import { secondHalfSlopeError, summarize } from "./summary.js";
import type { Summary } from "./summary.js";

/** A whole run, as stored in results.json. */
export interface BenchRun {
  readonly date: string;
  readonly smoke: boolean;
  readonly settings: Settings;
  readonly machine: Machine;
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly reps: readonly RepResult[];
  readonly soak: SoakResult;
  readonly durationS: number;
  /** The OpenAI door beside a peer gateway (absent in runs before issue 18). */
  readonly peer?: CompareRun;
}

const f = (v: number, digits = 2): string => (Number.isFinite(v) ? v.toFixed(digits) : "n/a");
const k = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : "n/a");
const row = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
const table = (head: readonly string[], rows: ReadonlyArray<readonly string[]>): string =>
  [row(head), row(head.map(() => "---")), ...rows.map(row)].join("\n");

function targets(s: Summary): string {
  const ok = (pass: boolean): string => (pass ? "met" : "**missed**");
  const rows: string[][] = [];
  for (const p of ["grpc", "connect"] as const) {
    const name = p === "grpc" ? "gRPC (HTTP/2)" : "Connect JSON (HTTP/1.1)";
    rows.push([`added latency p50, c=1, ${name}`, "<= 0.3 ms", `${f(s.added[p].p50, 3)} ms`, ok(s.added[p].p50 <= 0.3)]);
    rows.push([`added latency p99, c=1, ${name}`, "<= 2 ms", `${f(s.added[p].p99, 3)} ms`, ok(s.added[p].p99 <= 2)]);
    rows.push([`throughput c=64, ${name}`, ">= 5,000 req/s", `${k(s.c64[p].rps)} req/s`, ok(s.c64[p].rps >= 5000)]);
    rows.push([`p99 at c=64, ${name}`, "<= 30 ms", `${f(s.c64[p].p99)} ms`, ok(s.c64[p].p99 <= 30)]);
  }
  rows.push(["added time to first token p50, gRPC", "<= 1 ms", `${f(s.ttftAdded.grpc, 3)} ms`, ok(s.ttftAdded.grpc <= 1)]);
  rows.push(["added time to first token p50, Connect", "<= 1 ms", `${f(s.ttftAdded.connect, 3)} ms`, ok(s.ttftAdded.connect <= 1)]);
  rows.push(["RSS under load (peak, c=64)", "<= 150 MiB", `${f(mib(s.rssLoad), 1)} MiB`, ok(mib(s.rssLoad) <= 150)]);
  rows.push([`RSS with ${s.streamsOpened} open streams`, "<= 250 MiB", `${f(mib(s.rssStreams), 1)} MiB`, ok(mib(s.rssStreams) <= 250)]);
  // Growth: the last fifth's median over the first's by more than 5%, or a second-half slope over 1 MiB/min
  // that noise (twice its standard error) does not explain.
  const steady = mib(s.soakSlope) < 1 || s.soakSlope <= 2 * s.soakSlopeError;
  const noGrowth = s.soakGrowth <= 0.05 * s.soakFirst && steady;
  rows.push(["RSS growth over the soak", "none", `${f(mib(s.soakGrowth), 1)} MiB (${f(mib(s.soakSlope), 2)} ± ${f(mib(2 * s.soakSlopeError), 2)} MiB/min in the 2nd half)`, ok(noGrowth)]);
  return table(["target", "goal", "measured (median)", ""], rows);
}

function loadCells(l: { rps: number; p50: number; p99: number }): string[] {
  return [k(l.rps), f(l.p50, 3), f(l.p99, 3)];
}

function repsTable(reps: readonly RepResult[]): string {
  const lr = (l: LoadResult): string => `${k(l.reqPerS)} / ${f(l.latency.p50, 3)} / ${f(l.latency.p99, 3)}`;
  const cr = (c: CostedRun): string => `${lr(c.load)} / ${f(c.cpuUsPerReq, 0)} µs`;
  return table(
    ["rep", "c=1 direct h2load", "c=1 gRPC", "c=1 direct wrk", "c=1 Connect", "c=64 gRPC (+CPU/req)", "c=64 Connect (+CPU/req)", "TTFT p50 direct / gRPC / Connect", "RSS idle / load / streams"],
    reps.map((r, i) => [
      String(i + 1),
      lr(r.c1.directH2),
      lr(r.c1.grpc),
      lr(r.c1.directWrk),
      lr(r.c1.connect),
      cr(r.c64.grpc),
      cr(r.c64.connect),
      `${f(r.ttft.direct.p50, 3)} / ${f(r.ttft.grpc.p50, 3)} / ${f(r.ttft.connect.p50, 3)}`,
      `${f(mib(r.rssIdle), 1)} / ${f(mib(Math.max(r.c64.grpc.rssPeak, r.c64.connect.rssPeak)), 1)} / ${f(mib(r.streams.rss), 1)}`,
    ]),
  );
}

function tracingTable(reps: readonly RepResult[]): string {
  const modes: ReadonlyArray<[TracingMode, string]> = [
    ["off", "no SDK (OTEL_SDK_DISABLED)"],
    ["sampled-off", "SDK, sampler always_off (the default here)"],
    ["sampled-on", "SDK, sampler always_on, OTLP export"],
  ];
  const rows = modes.map(([mode, label]) => {
    const m = (fn: (r: NonNullable<RepResult["modes"][TracingMode]>) => number): number => median(reps.map((r) => (r.modes[mode] ? fn(r.modes[mode]) : Number.NaN)));
    return [
      label,
      f(m((x) => x.grpcC1.latency.p50), 3),
      f(m((x) => x.grpcC1.latency.p99), 3),
      k(m((x) => x.grpcC64.load.reqPerS)),
      f(m((x) => x.grpcC64.cpuUsPerReq), 0),
      k(m((x) => x.connectC64.load.reqPerS)),
      f(m((x) => x.connectC64.cpuUsPerReq), 0),
    ];
  });
  return table(["tracing", "gRPC c=1 p50 ms", "gRPC c=1 p99 ms", "gRPC c=64 req/s", "gRPC CPU µs/req", "Connect c=64 req/s", "Connect CPU µs/req"], rows);
}

function transportTable(reps: readonly RepResult[]): string {
  const names = {
    connectNode: "connect-node 2.1 (gRPC handler, answer from memory)",
    fastPath: "gRPC fast path (answer from memory)",
    floor: "gRPC fast path + one provider call (the floor)",
  } as const;
  const rows = (["connectNode", "fastPath", "floor"] as const).map((t) => {
    const m = (fn: (r: RepResult) => number | undefined): number => median(reps.map(fn).filter((v): v is number => v !== undefined));
    return [
      names[t],
      f(m((r) => r.transport[t]?.c1?.latency.p50), 3),
      f(m((r) => r.transport[t]?.c1?.latency.p99), 3),
      k(m((r) => r.transport[t]?.load.reqPerS)),
      f(m((r) => r.transport[t]?.load.latency.p50), 3),
      f(m((r) => r.transport[t]?.load.latency.p99), 3),
      f(m((r) => r.transport[t]?.cpuUsPerReq), 0),
    ];
  });
  return table(["server", "c=1 p50 ms", "c=1 p99 ms", "c=64 req/s", "c=64 p50 ms", "c=64 p99 ms", "server CPU µs/call"], rows);
}

/** The floor's time to first token (relaying the mock's SSE as gRPC) against the direct stream's. */
function floorTtft(reps: readonly RepResult[]): string {
  const added = reps.map((r) => (r.transport.floor?.ttftP50 === undefined ? undefined : r.transport.floor.ttftP50 - r.ttft.direct.p50)).filter((v): v is number => v !== undefined);
  if (added.length === 0) return "";
  const floor = median(reps.map((r) => r.transport.floor?.ttftP50).filter((v): v is number => v !== undefined));
  return `Time to first token through the floor (the mock's SSE relayed as gRPC deltas, nothing else): p50 ${f(floor, 3)} ms, ${f(median(added), 3)} ms over the direct stream.`;
}

function beforeAfter(now: Summary, before: Summary): string {
  const rows: string[][] = [];
  const add = (label: string, b: number, a: number, fmt: (v: number) => string): void => {
    rows.push([label, fmt(b), fmt(a)]);
  };
  for (const p of ["grpc", "connect"] as const) {
    add(`${p} added p50 c=1, ms`, before.added[p].p50, now.added[p].p50, (v) => f(v, 3));
    add(`${p} added p99 c=1, ms`, before.added[p].p99, now.added[p].p99, (v) => f(v, 3));
    add(`${p} c=64 req/s`, before.c64[p].rps, now.c64[p].rps, k);
    add(`${p} c=64 p99, ms`, before.c64[p].p99, now.c64[p].p99, (v) => f(v, 2));
    add(`${p} CPU per request, µs`, before.c64[p].cpuUs, now.c64[p].cpuUs, (v) => f(v, 0));
  }
  add("gRPC added TTFT p50, ms", before.ttftAdded.grpc, now.ttftAdded.grpc, (v) => f(v, 3));
  add("Connect added TTFT p50, ms", before.ttftAdded.connect, now.ttftAdded.connect, (v) => f(v, 3));
  add("RSS under load, MiB", mib(before.rssLoad), mib(now.rssLoad), (v) => f(v, 1));
  add("RSS open streams, MiB", mib(before.rssStreams), mib(now.rssStreams), (v) => f(v, 1));
  add("direct h2load c=64 req/s (the machine's speed at the time)", before.c64direct.grpc.rps, now.c64direct.grpc.rps, k);
  return table(["figure (median)", "before", "after"], rows);
}

/** The markdown report; `before` (an earlier run) adds a before/after table. */
export function renderReport(run: BenchRun, before: BenchRun | undefined, problems: readonly string[]): string {
  const s = summarize(run);
  const m = run.machine;
  const st = run.settings;
  const lines: string[] = [
    "# Gateway benchmark results",
    "",
    `Generated by \`npm run bench\` on ${run.date} in ${f(run.durationS / 60, 1)} min${run.smoke ? " (**smoke run: not a measurement**)" : ""}. Every figure is the median of ${st.repetitions} repetitions, each with a fresh gateway process.`,
    "",
    "## Machine",
    "",
    `- CPU: ${m.cpu}, ${m.cores} cores; memory ${m.memoryGiB} GiB; ${m.os}`,
    `- code: git ${m.commit ?? "unknown"}`,
    `- Node ${m.node}; ${Object.entries(m.packages).map(([p, v]) => `${p} ${v}`).join(", ")}`,
    `- load generators: ${m.tools["h2load"] ?? "?"} (h2load), ${m.tools["wrk"] ?? "?"}; load average before ${run.loadBefore}, after ${run.loadAfter}`,
    "",
    "## Set-up",
    "",
    "Three processes on loopback: a minimal OpenAI-compatible mock (`bench/mock-provider.ts`, prebuilt answers, zero latency),",
    "a discarding OTLP/HTTP sink, and the gateway (`node dist/src/main.js serve --config ...`) with the OpenTelemetry SDK",
    "running (`OTEL_EXPORTER_OTLP_ENDPOINT` at the sink, `OTEL_TRACES_SAMPLER=always_off` unless stated). The load",
    "generators share the same 2 cores. Baselines call the mock directly in the same run: h2load `--h1` with the",
    "mock's JSON for gRPC, wrk for Connect, a Node client reading SSE for streams. Added = gateway minus direct (per",
    `repetition, then the median). c=1: ${st.c1Requests} h2load requests / ${st.c1Seconds} s of wrk; c=64: ${st.c64Seconds} s (gRPC: 16`,
    `connections x 4 streams; Connect and direct: 64 connections); TTFT: ${st.ttftStreams} sequential streams each, of a model whose`,
    "first token comes at once and the rest 2 ms later. As in production, auth is on (every call carries a client key)",
    "and every request is written to the SQLite usage ledger (a temporary file) before its answer. Analysis of the",
    "figures, profiles and what to do next: bench/FINDINGS.md.",
    "",
    ...(problems.length > 0 ? ["## Problems in this run", "", ...problems.map((p) => `- ${p}`), ""] : []),
    "## Targets",
    "",
    targets(s),
    "",
    "## Latency at concurrency 1 (ms)",
    "",
    table(
      ["protocol", "direct p50", "direct p99", "gateway p50", "gateway p99", "added p50", "added p99"],
      (["grpc", "connect"] as const).map((p) => [p === "grpc" ? "gRPC unary (h2load)" : "Connect JSON unary (wrk)", f(s.c1[p].directP50, 3), f(s.c1[p].directP99, 3), f(s.c1[p].p50, 3), f(s.c1[p].p99, 3), f(s.added[p].p50, 3), f(s.added[p].p99, 3)]),
    ),
    "",
    "## Throughput at concurrency 64",
    "",
    table(
      ["protocol", "direct req/s", "direct p50 ms", "direct p99 ms", "gateway req/s", "gateway p50 ms", "gateway p99 ms", "gateway CPU µs/req", "mock CPU µs/req", "upstream calls/req", "machine CPU busy"],
      (["grpc", "connect"] as const).map((p) => [
        p === "grpc" ? "gRPC unary" : "Connect JSON unary",
        ...loadCells(s.c64direct[p]),
        ...loadCells(s.c64[p]),
        f(s.c64[p].cpuUs, 0),
        f(s.c64[p].mockCpuUs, 0),
        f(s.c64[p].upstreamRatio, 3),
        `${f(100 * s.c64[p].machineBusy, 0)}%`,
      ]),
    ),
    "",
    "## Time to first streamed token (ms)",
    "",
    table(
      ["path", "p50", "p90", "p99", "added p50"],
      [
        ["direct (SSE from the mock)", f(s.ttft.direct.p50, 3), f(s.ttft.direct.p90, 3), f(s.ttft.direct.p99, 3), "-"],
        ["gRPC StreamComplete", f(s.ttft.grpc.p50, 3), f(s.ttft.grpc.p90, 3), f(s.ttft.grpc.p99, 3), f(s.ttftAdded.grpc, 3)],
        ["Connect StreamComplete (HTTP/1.1)", f(s.ttft.connect.p50, 3), f(s.ttft.connect.p90, 3), f(s.ttft.connect.p99, 3), f(s.ttftAdded.connect, 3)],
      ],
    ),
    "",
    "## Memory (RSS of the gateway process, MiB)",
    "",
    table(
      ["state", "RSS"],
      [
        ["just started", f(mib(s.rssStart), 1)],
        ["idle after warm-up", f(mib(s.rssIdle), 1)],
        ["under load (peak of the c=64 runs)", f(mib(s.rssLoad), 1)],
        [`${s.streamsOpened} concurrent open gRPC streams (${s.streamsOk} ended OK)`, f(mib(s.rssStreams), 1)],
        [`soak: first fifth / last fifth of ${f(run.soak.seconds / 60, 1)} min (${k(run.soak.requests)} calls)`, `${f(mib(run.soak.firstRss), 1)} / ${f(mib(run.soak.lastRss), 1)}`],
        ["soak: growth over the second half (± twice its standard error)", `${f(mib(run.soak.slopePerMin), 3)} ± ${f(mib(2 * secondHalfSlopeError(run.soak.rss)), 3)} MiB/min`],
      ],
    ),
    "",
    `Soak RSS (MiB) over time: ${run.soak.rss.filter((_, i, a) => i % Math.max(1, Math.floor(a.length / 20)) === 0 || i === a.length - 1).map(([t, b]) => `${f(t, 0)} s ${f(mib(b), 1)}`).join(", ")}`,
    "",
    "## The transport alone",
    "",
    "The same GatewayServer with a GatewayService that answers from memory (no core, no upstream), and the",
    "floor: the same plus one real call to the mock through the gateway's OpenAI adapter (undici) per request,",
    "with no routing, accounting, auth or telemetry (`bench/transport-server.ts`; h2load, c=1 and 16 connections",
    "x 4 streams). No gateway built on this server and this HTTP client can do better than the floor here.",
    "",
    transportTable(run.reps),
    "",
    floorTtft(run.reps),
    "",
    "## Cost of tracing",
    "",
    tracingTable(run.reps),
    "",
    "## Every repetition",
    "",
    "req/s / p50 ms / p99 ms (and gateway CPU per request) per run.",
    "",
    repsTable(run.reps),
    "",
  ];
  if (run.peer) lines.push(renderCompare(run.peer), "");
  if (before) {
    lines.push("## Before and after the optimisations", "", `Before: the run of ${before.date} (bench/results-before.json), ${before.machine.commit ?? ""}.`);
    lines.push("The two runs were made at different times on a shared machine (see the last row); bench/FINDINGS.md has an interleaved A/B.", "");
    lines.push(beforeAfter(s, summarize(before)), "");
  }
  return `${lines.join("\n")}\n`;
}

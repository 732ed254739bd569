/** One repetition of the benchmark: a fresh gateway process per tracing mode, every protocol, direct and through it. */
import type { Drivers } from "./drivers.js";
import type { LoadResult } from "./loadgen.js";
import { grpcCompleteFrame, grpcStreamFrame } from "./payloads.js";
import { machineCpu, rssPeak, sample, startGateway, stats } from "./procs.js";
import type { Proc, TracingMode } from "./procs.js";
import { percentiles } from "./stats.js";
import type { Percentiles } from "./stats.js";
import { grpcUnary, h2session, holdStreams } from "./stream-client.js";
import { transportCost } from "./transport.js";
import type { TransportResult } from "./transport.js";

/** How big each step is (the full run and the smoke run differ only here). */
export interface Settings {
  readonly repetitions: number;
  readonly warmupS: number;
  /** Requests of each h2load run at concurrency 1. */
  readonly c1Requests: number;
  /** Seconds of each wrk run at concurrency 1. */
  readonly c1Seconds: number;
  /** Seconds of each run at concurrency 64. */
  readonly c64Seconds: number;
  /** Sequential streams per time-to-first-token run. */
  readonly ttftStreams: number;
  /** Concurrent open streams to hold. */
  readonly openStreams: number;
  readonly soakSeconds: number;
  /** Length of one soak segment (one protocol), and the RSS sampling period. */
  readonly soakSegmentS: number;
  /** Pause before the idle RSS sample, ms. */
  readonly idleSettleMs: number;
}

/** A throughput run with the gateway's cost. */
export interface CostedRun {
  readonly load: LoadResult;
  /** Gateway CPU time per request, microseconds. */
  readonly cpuUsPerReq: number;
  /** Mock CPU time per request, microseconds (context: what the upstream costs). */
  readonly mockCpuUsPerReq: number;
  /** Peak gateway RSS during the run, bytes. */
  readonly rssPeak: number;
  /** Upstream calls the mock saw per request the load generator counted (1.0 when every call reached it). */
  readonly upstreamRatio: number;
  /** Share of the machine's CPU (all cores) busy during the run, 0..1. */
  readonly machineBusy: number;
}

/** What one tracing mode measured through the gateway. */
export interface ModeResult {
  readonly grpcC1: LoadResult;
  readonly grpcC64: CostedRun;
  readonly connectC64: CostedRun;
}

/** Everything one repetition measured. */
export interface RepResult {
  /** RSS right after start, and idle after warm-up, bytes. */
  readonly rssStart: number;
  readonly rssIdle: number;
  readonly c1: { readonly directH2: LoadResult; readonly grpc: LoadResult; readonly directWrk: LoadResult; readonly connect: LoadResult };
  readonly c64: { readonly directH2: LoadResult; readonly directWrk: LoadResult; readonly grpc: CostedRun; readonly connect: CostedRun };
  readonly ttft: { readonly direct: Percentiles; readonly grpc: Percentiles; readonly connect: Percentiles };
  readonly streams: { readonly opened: number; readonly ok: number; readonly rss: number };
  readonly modes: Partial<Record<TracingMode, ModeResult>>;
  /** The server library alone (trivial handler): connect-node against the fast path. */
  readonly transport: TransportResult;
}

interface MockStats {
  readonly requests: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Checks one gRPC call of each kind answers OK before load is put on (a failing gateway must not look fast). */
async function verify(port: number): Promise<void> {
  const s = await h2session(port);
  try {
    const unary = await grpcUnary(s, grpcCompleteFrame("bench"));
    if (unary.status !== "0" || unary.text.length === 0) throw new Error(`gateway Complete failed: status ${unary.status} ${unary.message}`);
  } finally {
    s.close();
  }
}

/** Runs a load step while measuring the gateway's CPU and peak RSS and the mock's CPU and request count. */
export async function costed(gw: Proc, mock: Proc, step: () => Promise<LoadResult>): Promise<CostedRun> {
  const before = sample(gw.pid);
  const mockBefore = sample(mock.pid);
  const upstreamBefore = (await stats<MockStats>(mock.port)).requests;
  const peak = rssPeak(gw.pid);
  const cpuBefore = machineCpu();
  const load = await step();
  const cpuAfter = machineCpu();
  const rss = peak.stop();
  const after = sample(gw.pid);
  const mockAfter = sample(mock.pid);
  const upstream = (await stats<MockStats>(mock.port)).requests - upstreamBefore;
  const ok = Math.max(1, load.ok);
  return {
    load,
    cpuUsPerReq: ((after.cpuS - before.cpuS) * 1e6) / ok,
    mockCpuUsPerReq: ((mockAfter.cpuS - mockBefore.cpuS) * 1e6) / ok,
    rssPeak: rss,
    upstreamRatio: upstream / ok,
    machineBusy: (cpuAfter.busyS - cpuBefore.busyS) / Math.max(0.01, cpuAfter.totalS - cpuBefore.totalS),
  };
}

async function warmup(d: Drivers, port: number, s: Settings): Promise<void> {
  await d.grpc(port, 16, 4, { seconds: s.warmupS });
  await d.connect(port, 16, s.warmupS);
  await d.ttftGrpc(port, Math.ceil(s.ttftStreams / 5));
  await d.ttftConnect(port, Math.ceil(s.ttftStreams / 5));
}

/** Starts a gateway in `mode`, checks it, warms it up; the caller stops it. */
export async function readyGateway(d: Drivers, config: string, mode: TracingMode, sinkPort: number, s: Settings): Promise<{ gw: Proc; rssStart: number }> {
  const gw = await startGateway(config, mode, sinkPort);
  await sleep(500);
  const rssStart = sample(gw.pid).rssBytes;
  await verify(gw.port);
  await warmup(d, gw.port, s);
  return { gw, rssStart };
}

/** The per-mode measurements (tracing off and always_on; the default mode is measured by `repetition`). */
export async function modeRun(d: Drivers, mock: Proc, config: string, mode: TracingMode, sinkPort: number, s: Settings): Promise<ModeResult> {
  const { gw } = await readyGateway(d, config, mode, sinkPort, s);
  try {
    const grpcC1 = await d.grpc(gw.port, 1, 1, { requests: s.c1Requests });
    const grpcC64 = await costed(gw, mock, () => d.grpc(gw.port, 16, 4, { seconds: s.c64Seconds }));
    const connectC64 = await costed(gw, mock, () => d.connect(gw.port, 64, s.c64Seconds));
    return { grpcC1, grpcC64, connectC64 };
  } finally {
    await gw.stop();
  }
}

/** One repetition: idle, concurrency 1, concurrency 64, first token, open streams; then the other tracing modes. */
export async function repetition(d: Drivers, mock: Proc, config: string, sinkPort: number, s: Settings, log: (m: string) => void): Promise<RepResult> {
  const { gw, rssStart } = await readyGateway(d, config, "sampled-off", sinkPort, s);
  let main: Omit<RepResult, "modes" | "transport">;
  try {
    await sleep(s.idleSettleMs);
    const rssIdle = sample(gw.pid).rssBytes;
    log("concurrency 1");
    const c1 = {
      directH2: await d.directH2load(1, { requests: s.c1Requests }),
      grpc: await d.grpc(gw.port, 1, 1, { requests: s.c1Requests }),
      directWrk: await d.directWrk(1, s.c1Seconds),
      connect: await d.connect(gw.port, 1, s.c1Seconds),
    };
    log("concurrency 64");
    const c64 = {
      directH2: await d.directH2load(64, { seconds: s.c64Seconds }),
      grpc: await costed(gw, mock, () => d.grpc(gw.port, 16, 4, { seconds: s.c64Seconds })),
      directWrk: await d.directWrk(64, s.c64Seconds),
      connect: await costed(gw, mock, () => d.connect(gw.port, 64, s.c64Seconds)),
    };
    log("time to first token");
    const ms = (t: ReadonlyArray<{ ttftMs: number; status: string }>, what: string): Percentiles => {
      const bad = t.filter((x) => x.status !== "0" || x.ttftMs < 0).length;
      if (bad > 0) throw new Error(`${what}: ${bad} of ${t.length} streams failed or had no token`);
      return percentiles(t.map((x) => x.ttftMs));
    };
    const ttft = {
      direct: ms(await d.ttftDirect(s.ttftStreams), "direct stream"),
      grpc: ms(await d.ttftGrpc(gw.port, s.ttftStreams), "gRPC stream"),
      connect: ms(await d.ttftConnect(gw.port, s.ttftStreams), "Connect stream"),
    };
    log(`${s.openStreams} open streams`);
    const held = await holdStreams(gw.port, grpcStreamFrame("bench-hold"), s.openStreams, 10, 30_000, () => sample(gw.pid).rssBytes);
    main = { rssStart, rssIdle, c1, c64, ttft, streams: { opened: held.opened, ok: held.ok, rss: held.measured } };
  } finally {
    await gw.stop();
  }
  const modes: Partial<Record<TracingMode, ModeResult>> = {};
  for (const mode of ["off", "sampled-on"] as const) {
    log(`tracing mode ${mode}`);
    modes[mode] = await modeRun(d, mock, config, mode, sinkPort, s);
  }
  modes["sampled-off"] = { grpcC1: main.c1.grpc, grpcC64: main.c64.grpc, connectC64: main.c64.connect };
  log("transport alone");
  const transport = await transportCost(d, Math.max(1, Math.round(s.c64Seconds / 2)), s.c1Requests);
  return { ...main, modes, transport };
}

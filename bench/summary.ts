/** Reduces the repetitions of a run to the medians the report quotes. */
import type { LoadResult } from "./loadgen.js";
import type { RepResult } from "./scenario.js";
import type { SoakResult } from "./soak.js";
import { median, slopeStdError } from "./stats.js";
import type { Percentiles } from "./stats.js";

type Protocol = "grpc" | "connect";

/** The medians of a run. */
export interface Summary {
  readonly c1: Record<Protocol, { p50: number; p99: number; directP50: number; directP99: number }>;
  readonly added: Record<Protocol, { p50: number; p99: number }>;
  readonly c64: Record<Protocol, { rps: number; p50: number; p99: number; cpuUs: number; mockCpuUs: number; upstreamRatio: number; machineBusy: number }>;
  readonly c64direct: Record<Protocol, { rps: number; p50: number; p99: number }>;
  readonly ttft: Record<"direct" | Protocol, Percentiles>;
  readonly ttftAdded: Record<Protocol, number>;
  readonly rssStart: number;
  readonly rssIdle: number;
  readonly rssLoad: number;
  readonly rssStreams: number;
  readonly streamsOpened: number;
  readonly streamsOk: number;
  readonly soakGrowth: number;
  readonly soakFirst: number;
  readonly soakSlope: number;
  /** Standard error of soakSlope, bytes per minute. */
  readonly soakSlopeError: number;
}

/** The inputs of a summary (a BenchRun has them). */
export interface Summarizable {
  readonly reps: readonly RepResult[];
  readonly soak: SoakResult;
}

/** Problems that make a run's figures meaningless: load runs with no success or with failures, streams that failed. */
export function problems(run: Summarizable): string[] {
  const out: string[] = [];
  const check = (what: string, l: LoadResult): void => {
    if (l.ok === 0) out.push(`${what}: no successful request`);
    else if (l.failed > Math.max(2, 0.001 * l.ok)) out.push(`${what}: ${l.failed} failed of ${l.ok + l.failed}`);
  };
  run.reps.forEach((r, i) => {
    const rep = `rep ${i + 1}`;
    check(`${rep} c=1 direct h2load`, r.c1.directH2);
    check(`${rep} c=1 gRPC`, r.c1.grpc);
    check(`${rep} c=1 direct wrk`, r.c1.directWrk);
    check(`${rep} c=1 Connect`, r.c1.connect);
    check(`${rep} c=64 direct h2load`, r.c64.directH2);
    check(`${rep} c=64 gRPC`, r.c64.grpc.load);
    check(`${rep} c=64 direct wrk`, r.c64.directWrk);
    check(`${rep} c=64 Connect`, r.c64.connect.load);
    for (const [mode, m] of Object.entries(r.modes)) {
      check(`${rep} ${mode} gRPC c=1`, m.grpcC1);
      check(`${rep} ${mode} gRPC c=64`, m.grpcC64.load);
      check(`${rep} ${mode} Connect c=64`, m.connectC64.load);
    }
    check(`${rep} transport connect-node`, r.transport.connectNode.load);
    check(`${rep} transport fast path`, r.transport.fastPath.load);
    check(`${rep} transport floor`, r.transport.floor.load);
    check(`${rep} transport floor c=1`, r.transport.floor.c1);
    if (r.streams.ok < r.streams.opened || r.streams.opened === 0) out.push(`${rep} open streams: ${r.streams.ok} ended OK of ${r.streams.opened} opened`);
    for (const [what, ratio] of [["gRPC", r.c64.grpc.upstreamRatio], ["Connect", r.c64.connect.upstreamRatio]] as const) {
      if (ratio < 0.99) out.push(`${rep} c=64 ${what}: only ${ratio.toFixed(3)} upstream calls per answered request (answers without a provider call?)`);
    }
  });
  if (run.soak.requests === 0) out.push("soak: no calls");
  return out;
}

/** Summarises a run: per-repetition figures first (added = gateway - direct), then medians across repetitions. */
export function summarize(run: Summarizable): Summary {
  const reps = run.reps;
  const m = (fn: (r: RepResult) => number): number => median(reps.map(fn));
  const c1 = (p: Protocol): { gw: (r: RepResult) => LoadResult; direct: (r: RepResult) => LoadResult } =>
    p === "grpc" ? { gw: (r) => r.c1.grpc, direct: (r) => r.c1.directH2 } : { gw: (r) => r.c1.connect, direct: (r) => r.c1.directWrk };
  const one = (p: Protocol): Summary["c1"][Protocol] => ({
    p50: m((r) => c1(p).gw(r).latency.p50),
    p99: m((r) => c1(p).gw(r).latency.p99),
    directP50: m((r) => c1(p).direct(r).latency.p50),
    directP99: m((r) => c1(p).direct(r).latency.p99),
  });
  const added = (p: Protocol): Summary["added"][Protocol] => ({
    p50: m((r) => c1(p).gw(r).latency.p50 - c1(p).direct(r).latency.p50),
    p99: m((r) => c1(p).gw(r).latency.p99 - c1(p).direct(r).latency.p99),
  });
  const c64 = (p: Protocol): Summary["c64"][Protocol] => {
    const run64 = (r: RepResult): RepResult["c64"]["grpc"] => (p === "grpc" ? r.c64.grpc : r.c64.connect);
    return {
      rps: m((r) => run64(r).load.reqPerS),
      p50: m((r) => run64(r).load.latency.p50),
      p99: m((r) => run64(r).load.latency.p99),
      cpuUs: m((r) => run64(r).cpuUsPerReq),
      mockCpuUs: m((r) => run64(r).mockCpuUsPerReq),
      upstreamRatio: m((r) => run64(r).upstreamRatio),
      machineBusy: m((r) => run64(r).machineBusy),
    };
  };
  const direct64 = (p: Protocol): Summary["c64direct"][Protocol] => {
    const d = (r: RepResult): LoadResult => (p === "grpc" ? r.c64.directH2 : r.c64.directWrk);
    return { rps: m((r) => d(r).reqPerS), p50: m((r) => d(r).latency.p50), p99: m((r) => d(r).latency.p99) };
  };
  const tt = (fn: (r: RepResult) => Percentiles): Percentiles => ({ p50: m((r) => fn(r).p50), p90: m((r) => fn(r).p90), p99: m((r) => fn(r).p99), n: m((r) => fn(r).n) });
  return {
    c1: { grpc: one("grpc"), connect: one("connect") },
    added: { grpc: added("grpc"), connect: added("connect") },
    c64: { grpc: c64("grpc"), connect: c64("connect") },
    c64direct: { grpc: direct64("grpc"), connect: direct64("connect") },
    ttft: { direct: tt((r) => r.ttft.direct), grpc: tt((r) => r.ttft.grpc), connect: tt((r) => r.ttft.connect) },
    ttftAdded: { grpc: m((r) => r.ttft.grpc.p50 - r.ttft.direct.p50), connect: m((r) => r.ttft.connect.p50 - r.ttft.direct.p50) },
    rssStart: m((r) => r.rssStart),
    rssIdle: m((r) => r.rssIdle),
    rssLoad: m((r) => Math.max(r.c64.grpc.rssPeak, r.c64.connect.rssPeak)),
    rssStreams: m((r) => r.streams.rss),
    streamsOpened: m((r) => r.streams.opened),
    streamsOk: m((r) => r.streams.ok),
    soakGrowth: run.soak.lastRss - run.soak.firstRss,
    soakFirst: run.soak.firstRss,
    soakSlope: run.soak.slopePerMin,
    soakSlopeError: secondHalfSlopeError(run.soak.rss),
  };
}

/** The standard error of the soak's second-half RSS slope, bytes per minute (GC swings RSS by tens of MiB). */
export function secondHalfSlopeError(rss: ReadonlyArray<readonly [number, number]>): number {
  const half = rss.slice(Math.floor(rss.length / 2));
  return slopeStdError(
    half.map((r) => r[0] / 60),
    half.map((r) => r[1]),
  );
}

/**
 * How fast the machine is during a workers run, against the run of bench/RESULTS.md: the mock alone (direct h2load,
 * c=64) and the transport fast path alone (a trivial GatewayService, no gateway code), measured the same way then and
 * now. On a shared virtual machine the same code can cost twice the CPU from one day to the next; this says so.
 */
import { readFileSync } from "node:fs";
import type { Drivers } from "./drivers.js";
import { sample, startTransport } from "./procs.js";
import type { RepResult } from "./scenario.js";
import { median } from "./stats.js";

/** The machine's speed at one moment. */
export interface Calibration {
  /** The mock alone: h2load --h1, 64 connections, req/s. */
  readonly directRps: number;
  /** The transport fast path alone: h2load 16 x 4, req/s and server CPU per call (µs). */
  readonly fastPathRps: number;
  readonly fastPathCpuUs: number;
}

/** The same figures in the run of bench/results.json (medians of its repetitions), with its gateway's gRPC c=64. */
export interface Reference extends Calibration {
  readonly date: string;
  readonly grpcRps: number;
  readonly grpcCpuUs: number;
}

/** Measures the mock alone and the transport fast path alone for `seconds` each. */
export async function calibrate(d: Drivers, seconds: number): Promise<Calibration> {
  const direct = await d.directH2load(64, { seconds });
  const server = await startTransport("fastPath", d.mockPort);
  try {
    await d.grpc(server.port, 16, 4, { seconds: 1 });
    const before = sample(server.pid).cpuS;
    const load = await d.grpc(server.port, 16, 4, { seconds });
    const cpuS = sample(server.pid).cpuS - before;
    return { directRps: direct.reqPerS, fastPathRps: load.reqPerS, fastPathCpuUs: (cpuS * 1e6) / Math.max(1, load.ok) };
  } finally {
    await server.stop();
  }
}

/** The reference figures from a stored bench/results.json, or undefined when there is none. */
export function reference(path: string): Reference | undefined {
  let run: { date: string; reps: readonly RepResult[] };
  try {
    run = JSON.parse(readFileSync(path, "utf8")) as { date: string; reps: readonly RepResult[] };
  } catch {
    return undefined;
  }
  const m = (pick: (r: RepResult) => number): number => median(run.reps.map(pick));
  return {
    date: run.date,
    directRps: m((r) => r.c64.directH2.reqPerS),
    fastPathRps: m((r) => r.transport.fastPath.load.reqPerS),
    fastPathCpuUs: m((r) => r.transport.fastPath.cpuUsPerReq),
    grpcRps: m((r) => r.c64.grpc.load.reqPerS),
    grpcCpuUs: m((r) => r.c64.grpc.cpuUsPerReq),
  };
}

/**
 * The server library's own cost: the same h2load runs against a trivial GatewayService on connect-node and on
 * the fast path, and the floor: the fast path plus one real provider call per request.
 */
import type { Drivers } from "./drivers.js";
import type { LoadResult } from "./loadgen.js";
import { sample, startTransport } from "./procs.js";
import type { TransportMode } from "./procs.js";
import { percentiles } from "./stats.js";

/** One transport's figures: the load result and the server's CPU time per call (µs). */
export interface TransportRun {
  /** Sequential calls (c=1). */
  readonly c1: LoadResult;
  /** 16 connections x 4 streams. */
  readonly load: LoadResult;
  readonly cpuUsPerReq: number;
  /** The floor only: p50 time to first token of sequential streams relayed from the mock, ms. */
  readonly ttftP50?: number;
}

/** The three servers, measured one after the other. */
export type TransportResult = Readonly<Record<TransportMode, TransportRun>>;

async function one(d: Drivers, mode: TransportMode, seconds: number, c1Requests: number): Promise<TransportRun> {
  const server = await startTransport(mode, d.mockPort);
  try {
    await d.grpc(server.port, 16, 4, { seconds: 1 });
    const c1 = await d.grpc(server.port, 1, 1, { requests: c1Requests });
    const before = sample(server.pid);
    const load = await d.grpc(server.port, 16, 4, { seconds });
    const after = sample(server.pid);
    const cpuUsPerReq = ((after.cpuS - before.cpuS) * 1e6) / Math.max(1, load.ok);
    if (mode !== "floor") return { c1, load, cpuUsPerReq };
    const ttft = await d.ttftGrpc(server.port, Math.max(20, Math.round(c1Requests / 3)));
    return { c1, load, cpuUsPerReq, ttftP50: percentiles(ttft.map((t) => t.ttftMs)).p50 };
  } finally {
    await server.stop();
  }
}

/** Measures connect-node, the fast path and the floor serving a unary method, at c=1 and c=64. */
export async function transportCost(d: Drivers, seconds: number, c1Requests: number): Promise<TransportResult> {
  return { connectNode: await one(d, "connectNode", seconds, c1Requests), fastPath: await one(d, "fastPath", seconds, c1Requests), floor: await one(d, "floor", seconds, c1Requests) };
}

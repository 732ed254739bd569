/** The server library's own cost: the same h2load run against a trivial GatewayService on connect-node and on the fast path. */
import type { Drivers } from "./drivers.js";
import type { LoadResult } from "./loadgen.js";
import { sample, startTransport } from "./procs.js";

/** One transport's figures: the load result and the server's CPU time per call (µs). */
export interface TransportRun {
  readonly load: LoadResult;
  readonly cpuUsPerReq: number;
}

/** Both transports, measured one after the other. */
export interface TransportResult {
  readonly connectNode: TransportRun;
  readonly fastPath: TransportRun;
}

async function one(d: Drivers, connectNode: boolean, seconds: number): Promise<TransportRun> {
  const server = await startTransport(connectNode);
  try {
    await d.grpc(server.port, 16, 4, { seconds: 1 });
    const before = sample(server.pid);
    const load = await d.grpc(server.port, 16, 4, { seconds });
    const after = sample(server.pid);
    return { load, cpuUsPerReq: ((after.cpuS - before.cpuS) * 1e6) / Math.max(1, load.ok) };
  } finally {
    await server.stop();
  }
}

/** Measures connect-node and the fast path serving a trivial unary method (16 connections x 4 streams). */
export async function transportCost(d: Drivers, seconds: number): Promise<TransportResult> {
  return { connectNode: await one(d, true, seconds), fastPath: await one(d, false, seconds) };
}

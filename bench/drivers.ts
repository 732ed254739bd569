/** The benchmark's protocol drivers: one load run per protocol, direct (to the mock) or through the gateway. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { h2load, wrk } from "./loadgen.js";
import type { Amount, LoadResult } from "./loadgen.js";
import { connectCompleteJson, connectStreamFrame, grpcCompleteFrame, grpcStreamFrame, mockJson } from "./payloads.js";
import { BENCH_KEY } from "./procs.js";
import { connectStream, directStream, grpcStream, h2session, keepAliveAgent, sequential } from "./stream-client.js";
import type { StreamTiming } from "./stream-client.js";

/** Files and ports every driver needs. */
export interface Drivers {
  readonly tmpDir: string;
  readonly mockPort: number;
  /** gRPC unary through the gateway (h2load, HTTP/2). */
  grpc(port: number, conns: number, streams: number, amount: Amount): Promise<LoadResult>;
  /** OpenAI Chat Completions unary through the gateway's door (h2load over HTTP/1.1 keep-alive). */
  openai(port: number, conns: number, amount: Amount): Promise<LoadResult>;
  /** The mock directly with h2load over HTTP/1.1 (the gRPC baseline). */
  directH2load(conns: number, amount: Amount): Promise<LoadResult>;
  /** Connect JSON unary through the gateway (wrk, HTTP/1.1). */
  connect(port: number, conns: number, seconds: number): Promise<LoadResult>;
  /** The mock directly with wrk (the Connect baseline). */
  directWrk(conns: number, seconds: number): Promise<LoadResult>;
  /** Sequential streams: time to first token through the gateway over gRPC. */
  ttftGrpc(port: number, count: number): Promise<StreamTiming[]>;
  /** Sequential streams: time to first token through the gateway over Connect (HTTP/1.1). */
  ttftConnect(port: number, count: number): Promise<StreamTiming[]>;
  /** Sequential streams straight to the mock (SSE): the baseline. */
  ttftDirect(count: number): Promise<StreamTiming[]>;
  /** `concurrency` loops of gRPC streams for `seconds`; returns the calls made. */
  streamLoad(port: number, concurrency: number, seconds: number): Promise<number>;
}

const GRPC_HEADERS = ["content-type: application/grpc", "te: trailers", `authorization: Bearer ${BENCH_KEY}`];

/** Builds the drivers, writing the request bodies once into `tmpDir`. */
export function createDrivers(tmpDir: string, mockPort: number): Drivers {
  const grpcBody = join(tmpDir, "complete.grpc");
  writeFileSync(grpcBody, grpcCompleteFrame("bench"));
  const directBody = join(tmpDir, "direct.json");
  writeFileSync(directBody, mockJson("bench", false));
  const streamFrame = grpcStreamFrame("bench");
  const openaiHeaders = ["content-type: application/json", `authorization: Bearer ${BENCH_KEY}`];
  const ttftFrame = grpcStreamFrame("bench-ttft");
  const connectFrame = connectStreamFrame("bench-ttft");
  const directStreamBody = mockJson("bench-ttft", true);
  const connectJson = connectCompleteJson("bench");
  return {
    tmpDir,
    mockPort,
    grpc: (port, conns, streams, amount) =>
      h2load({ url: `http://127.0.0.1:${port}/llmgateway.v1.GatewayService/Complete`, bodyFile: grpcBody, headers: GRPC_HEADERS, connections: conns, streamsPerConnection: streams, amount, tmpDir }),
    openai: (port, conns, amount) =>
      h2load({ url: `http://127.0.0.1:${port}/v1/chat/completions`, bodyFile: directBody, headers: openaiHeaders, connections: conns, streamsPerConnection: 1, amount, h1: true, tmpDir }),
    directH2load: (conns, amount) =>
      h2load({ url: `http://127.0.0.1:${mockPort}/v1/chat/completions`, bodyFile: directBody, headers: ["content-type: application/json"], connections: conns, streamsPerConnection: 1, amount, h1: true, tmpDir }),
    connect: (port, conns, seconds) =>
      wrk({ url: `http://127.0.0.1:${port}/llmgateway.v1.GatewayService/Complete`, body: connectJson, headers: { "Content-Type": "application/json", Authorization: `Bearer ${BENCH_KEY}` }, connections: conns, seconds, tmpDir }),
    directWrk: (conns, seconds) => wrk({ url: `http://127.0.0.1:${mockPort}/v1/chat/completions`, body: mockJson("bench", false), headers: { "Content-Type": "application/json" }, connections: conns, seconds, tmpDir }),
    async ttftGrpc(port, count) {
      const s = await h2session(port);
      try {
        return await sequential(count, () => grpcStream(s, ttftFrame));
      } finally {
        s.close();
      }
    },
    async ttftConnect(port, count) {
      const agent = keepAliveAgent(1);
      try {
        return await sequential(count, () => connectStream(agent, port, connectFrame));
      } finally {
        agent.destroy();
      }
    },
    async ttftDirect(count) {
      const agent = keepAliveAgent(1);
      try {
        return await sequential(count, () => directStream(agent, mockPort, directStreamBody));
      } finally {
        agent.destroy();
      }
    },
    async streamLoad(port, concurrency, seconds) {
      const s = await h2session(port);
      const end = performance.now() + seconds * 1000;
      let calls = 0;
      const loop = async (): Promise<void> => {
        while (performance.now() < end) {
          await grpcStream(s, streamFrame);
          calls++;
        }
      };
      try {
        await Promise.all(Array.from({ length: concurrency }, loop));
      } finally {
        s.close();
      }
      return calls;
    },
  };
}

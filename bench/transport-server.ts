/**
 * The transport alone: a GatewayServer whose GatewayService answers at once from memory (no core, no
 * upstream), served by connect-node (`--connect`) or by the gRPC fast path (default). The benchmark drives
 * both with the same h2load run, so the difference is the server library's cost per call.
 * Run: node dist/bench/transport-server.js [--connect]
 */
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";
import { CompleteResponseSchema, GatewayService, StreamCompleteResponseSchema } from "../gen/llmgateway/v1/gateway_pb.js";
import { GatewayServer } from "../src/server/server.js";

const answer = create(CompleteResponseSchema, { requestId: "bench", text: "The gateway answers from a simulated model with exact usage and cost", model: "bench", provider: "mock" });
const delta = create(StreamCompleteResponseSchema, { event: { case: "delta", value: { text: " token" } } });

const service: ServiceImpl<typeof GatewayService> = {
  complete: () => answer,
  async *streamComplete() {
    for (let i = 0; i < 12; i++) yield delta;
    yield create(StreamCompleteResponseSchema, { event: { case: "summary", value: answer } });
  },
  getCostReport: () => {
    throw new ConnectError("not served here", Code.Unimplemented);
  },
  listModels: () => {
    throw new ConnectError("not served here", Code.Unimplemented);
  },
};

const server = new GatewayServer({ service, maxRequestBytes: 4 * 1024 * 1024, grpcFastPath: !process.argv.includes("--connect"), connectFastPath: !process.argv.includes("--connect") });
server.listen(0, "127.0.0.1").then((port) => process.stdout.write(`${JSON.stringify({ ready: true, port })}\n`));
const stop = (): void => {
  void server.stop(100).then(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

/**
 * The transport alone: a GatewayServer whose GatewayService answers at once from memory (no core, no
 * upstream), served by connect-node (`--connect`) or by the fast paths (default). With `--upstream=PORT` each
 * Complete first makes one real provider call (the OpenAI adapter over undici) to the mock on that port: the
 * floor of any gateway built on this server and this HTTP client, before routing, accounting or telemetry.
 * Run: node dist/bench/transport-server.js [--connect] [--upstream=PORT]
 */
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";
import { CompleteResponseSchema, GatewayService, StreamCompleteResponseSchema } from "../gen/llmgateway/v1/gateway_pb.js";
import { GatewayServer } from "../src/server/server.js";
import { parseConfig } from "../src/config/load.js";
import { createAdapter } from "../src/providers/registry.js";
import { systemClock } from "../src/app/system.js";
import type { ProviderAdapter } from "../src/providers/adapter.js";

const answer = create(CompleteResponseSchema, { requestId: "bench", text: "The gateway answers from a simulated model with exact usage and cost", model: "bench", provider: "mock" });
const delta = create(StreamCompleteResponseSchema, { event: { case: "delta", value: { text: " token" } } });

const upstreamPort = process.argv.find((a) => a.startsWith("--upstream="))?.slice("--upstream=".length);

/** The OpenAI adapter for the mock, built from a config as the gateway builds it. */
function mockAdapter(port: string): ProviderAdapter {
  const config = parseConfig(
    JSON.stringify({ providers: { mock: { kind: "openai", baseUrl: `http://127.0.0.1:${port}/v1`, maxConnections: 128 } }, models: { bench: { provider: "mock", pricing: { inputPerMTok: 1, outputPerMTok: 2 } } }, auth: { enabled: false } }),
  );
  const provider = config.providers.get("mock");
  if (!provider) throw new Error("no mock provider");
  return createAdapter(provider, systemClock.now);
}

const adapter = upstreamPort === undefined ? undefined : mockAdapter(upstreamPort);
const call = { request: { messages: [{ role: "user" as const, content: "Hello" }], params: {} }, upstreamModel: "bench", defaultMaxTokens: 256 };

const service: ServiceImpl<typeof GatewayService> = {
  async complete(_req, ctx) {
    if (adapter) await adapter.complete(call, { signal: ctx.signal, onRateLimit: () => undefined });
    return answer;
  },
  async *streamComplete(req, ctx) {
    if (adapter) {
      // The floor of a stream: relay the provider's deltas as they arrive.
      for await (const ev of adapter.stream({ ...call, upstreamModel: req.request?.model ?? "bench" }, { signal: ctx.signal, onRateLimit: () => undefined })) {
        if (ev.type === "delta") yield create(StreamCompleteResponseSchema, { event: { case: "delta", value: { text: ev.text } } });
      }
    } else {
      for (let i = 0; i < 12; i++) yield delta;
    }
    yield create(StreamCompleteResponseSchema, { event: { case: "summary", value: answer } });
  },
  getCostReport: () => {
    throw new ConnectError("not served here", Code.Unimplemented);
  },
  listModels: () => {
    throw new ConnectError("not served here", Code.Unimplemented);
  },
  embed: () => {
    throw new ConnectError("not served here", Code.Unimplemented);
  },
  reloadConfig: () => {
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

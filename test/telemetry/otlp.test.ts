/** A real OTLP/HTTP receiver on loopback gets the gateway process's spans and metrics, with the right parent links. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import { startSimulator } from "../../src/sim/server.js";
import type { Simulator } from "../../src/sim/server.js";
import { startCollector } from "../helpers/otlp-collector.js";
import type { Collector } from "../helpers/otlp-collector.js";
import { spawnGateway } from "../helpers/process.js";

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

let receiver: Collector;
let sim: Simulator;
let dir: string;

beforeAll(async () => {
  receiver = await startCollector();
  sim = await startSimulator({ down: { kind: "openai", profile: { errorRate: 1, error: "server_error" } }, up: { kind: "anthropic" } });
  dir = mkdtempSync(join(tmpdir(), "gw-otlp-"));
});
afterAll(async () => {
  receiver.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

function spans(): OtlpSpan[] {
  return receiver.bodies
    .filter((b) => b.path === "/v1/traces")
    .flatMap((b) => (JSON.parse(b.body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> }).resourceSpans)
    .flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
}

describe("OTLP export from the gateway process", () => {
  it("exports the RPC span under the caller's trace, attempt spans under it, metrics, and flushes on SIGTERM", async () => {
    const config = join(dir, "gw.yaml");
    writeFileSync(
      config,
      [
        "listen: 127.0.0.1:0",
        "providers:",
        `  down: { kind: openai, baseUrl: "${sim.baseUrl("down")}", apiKey: "\${DOWN_KEY}" }`,
        `  up: { kind: anthropic, baseUrl: "${sim.baseUrl("up")}", apiKey: "sk-ant-literal-secret" }`,
        "models:",
        "  m-down: { provider: down, pricing: { inputPerMTok: 1, outputPerMTok: 1 } }",
        "  m-up: { provider: up, pricing: { inputPerMTok: 1, outputPerMTok: 1 } }",
        "routes:",
        "  r: { strategy: ordered, models: [m-down, m-up] }",
        "failover: { backoffBaseMs: 1, backoffMaxMs: 2 }",
        "auth: { enabled: false }",
      ].join("\n"),
    );
    const gw = spawnGateway(["--config", config], {
      DOWN_KEY: "sk-openai-env-secret",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_SERVICE_NAME: "gateway-under-test",
      OTEL_BSP_SCHEDULE_DELAY: "50",
      OTEL_METRIC_EXPORT_INTERVAL: "200",
    });
    const address = await gw.address;
    const client = createClient(GatewayService, createGrpcTransport({ baseUrl: `http://${address}` }));
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const res = await client.complete({ model: "r", messages: [{ role: Role.USER, content: "hi" }] }, { headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` } });
    expect(res.model).toBe("m-up");
    gw.child.kill("SIGTERM");
    expect(await gw.exited).toBe(0);

    const all = spans();
    const server = all.find((s) => s.name === "llmgateway.v1.GatewayService/Complete");
    expect(server?.traceId).toBe(traceId);
    expect(server?.parentSpanId).toBe("b7ad6b7169203331");
    const attempts = all.filter((s) => s.name.startsWith("chat "));
    expect(attempts.map((s) => s.name).sort()).toEqual(["chat m-down", "chat m-up"]);
    for (const a of attempts) expect(a.parentSpanId).toBe(server?.spanId);
    expect(receiver.bodies.some((b) => b.path === "/v1/metrics" && b.body.includes("gen_ai.client.operation.duration"))).toBe(true);
    expect(receiver.bodies.some((b) => b.body.includes("gateway-under-test"))).toBe(true);
    const everything = receiver.bodies.map((b) => b.body).join("\n");
    expect(everything).not.toContain("sk-openai-env-secret");
    expect(everything).not.toContain("sk-ant-literal-secret");
  });
});

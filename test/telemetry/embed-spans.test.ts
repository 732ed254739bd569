/** The spans of an Embed: one CLIENT span `embeddings {model}` per attempt, with gen_ai.operation.name=embeddings. */
import { NodeSDK } from "@opentelemetry/sdk-node";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { SpanKind } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SyncContextManager } from "../../src/telemetry/sync-context.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

process.env["OTEL_METRICS_EXPORTER"] = "none";
const exporter = new InMemorySpanExporter();
const sdk = new NodeSDK({ spanProcessors: [new SimpleSpanProcessor(exporter)], instrumentations: [], resourceDetectors: [], contextManager: new SyncContextManager() });
let h: Harness;

beforeAll(async () => {
  sdk.start();
  h = await startHarness({
    endpoints: { a: { kind: "openai", profile: { errorRate: 1, error: "overloaded" } }, g: { kind: "gemini" } },
    config: {
      models: {
        ea: { kind: "embedding", provider: "a", upstreamModel: "text-embedding-3-small", pricing: { inputPerMTok: 0.02 } },
        eg: { kind: "embedding", provider: "g", upstreamModel: "gemini-embedding-001", pricing: { inputPerMTok: 0.15 } },
      },
      routes: { embed: { models: ["ea", "eg"] } },
      failover: { backoffBaseMs: 1, backoffMaxMs: 2 },
    },
    app: { tracing: true, captureContent: false },
  });
});
afterAll(async () => {
  await h.close();
  await sdk.shutdown();
});

describe("embeddings spans", () => {
  it("name each attempt `embeddings {upstream model}` with the embeddings operation, its error, and the estimated usage of Gemini", async () => {
    const res = await h.grpc.embed({ model: "embed", inputs: ["a secret text", "another"] });
    expect(res.model).toBe("eg");
    const spans = exporter.getFinishedSpans();
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    expect(server?.name).toBe("llmgateway.v1.GatewayService/Embed");
    const attempts = spans.filter((s) => s.kind === SpanKind.CLIENT);
    expect(attempts.map((s) => s.name)).toEqual(["embeddings text-embedding-3-small", "embeddings gemini-embedding-001"]);
    for (const s of attempts) {
      expect(s.attributes["gen_ai.operation.name"]).toBe("embeddings");
      expect(s.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    }
    expect(attempts.map((s) => s.attributes["error.type"])).toEqual(["overloaded", undefined]);
    expect([attempts[1]?.attributes["llmgateway.usage.basis"], attempts[1]?.attributes["gen_ai.usage.input_tokens"]]).toEqual(["estimated", Math.ceil("a secret textanother".length / 4)]);
    expect(JSON.stringify(attempts.map((s) => s.attributes))).not.toContain("a secret text");
  });
});

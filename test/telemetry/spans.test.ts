/** The span tree of a request: a SERVER span continuing traceparent, one CLIENT span per attempt, hop events and links. */
import { NodeSDK } from "@opentelemetry/sdk-node";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { SpanKind } from "@opentelemetry/api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import { SyncContextManager } from "../../src/telemetry/sync-context.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

// Spans only, in memory; no metric exporter trying to reach a collector.
process.env["OTEL_METRICS_EXPORTER"] = "none";
const exporter = new InMemorySpanExporter();
// The gateway's own context manager: spans must nest without AsyncLocalStorage.
const sdk = new NodeSDK({ spanProcessors: [new SimpleSpanProcessor(exporter)], instrumentations: [], resourceDetectors: [], contextManager: new SyncContextManager() });
let h: Harness;
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID = "00f067aa0ba902b7";

beforeAll(async () => {
  sdk.start();
  const pricing = { inputPerMTok: 1, outputPerMTok: 2 };
  h = await startHarness({
    endpoints: {
      a: { kind: "openai", profile: { errorRate: 1, error: "server_error" } },
      b: { kind: "anthropic", profile: { errorRate: 1, error: "overloaded" } },
      c: { kind: "gemini" },
      slow: { kind: "openai", profile: { latencyMs: 800 } },
    },
    providerExtras: { a: { apiKey: "sk-secret-in-config-a" } },
    config: {
      models: {
        ma: { provider: "a", upstreamModel: "a-up", pricing },
        mb: { provider: "b", upstreamModel: "b-up", pricing },
        mc: { provider: "c", upstreamModel: "c-up", pricing },
        mslow: { provider: "slow", upstreamModel: "slow-up", pricing },
      },
      routes: {
        chain: { strategy: "ordered", models: ["ma", "mb", "mc"] },
        hedged: { strategy: "ordered", models: ["mslow", "mc"], hedge: { delayMs: 50 } },
      },
      failover: { backoffBaseMs: 1, backoffMaxMs: 2 },
      breaker: { consecutiveFailures: 100 },
    },
    app: { tracing: true, captureContent: false },
  });
});
afterAll(async () => {
  await h.close();
  await sdk.shutdown();
});
beforeEach(() => exporter.reset());

const traceparent = { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` };
const ask = (model: string) => ({ model, messages: [{ role: Role.USER, content: "a secret prompt" }] });

function tree(): { server: ReadableSpan; attempts: ReadableSpan[] } {
  const spans = exporter.getFinishedSpans();
  const server = spans.find((s) => s.kind === SpanKind.SERVER);
  if (!server) throw new Error("no server span");
  const attempts = spans.filter((s) => s.kind === SpanKind.CLIENT).sort((x, y) => Number(x.attributes["llmgateway.attempt.number"]) - Number(y.attributes["llmgateway.attempt.number"]));
  return { server, attempts };
}

describe("spans", () => {
  it("trace a two-hop failover: the caller's trace, one CLIENT span per attempt, hop events and links", async () => {
    const res = await h.grpc.complete(ask("chain"), { headers: traceparent });
    expect(res.model).toBe("mc");
    const { server, attempts } = tree();
    expect(server.name).toBe("llmgateway.v1.GatewayService/Complete");
    expect(server.spanContext().traceId).toBe(TRACE_ID);
    expect(server.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(server.attributes["llmgateway.candidates"]).toEqual(["ma", "mb", "mc"]);
    expect(attempts.map((s) => s.name)).toEqual(["chat a-up", "chat b-up", "chat c-up"]);
    for (const s of attempts) {
      expect(s.spanContext().traceId).toBe(TRACE_ID);
      expect(s.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
      expect(s.attributes["gen_ai.operation.name"]).toBe("chat");
      expect(s.attributes["gen_ai.request.model"]).toBe(s.name.slice(5));
      expect(s.attributes["server.address"]).toBe("127.0.0.1");
      expect(s.attributes["llmgateway.route"]).toBe("chain");
      expect(s.attributes["llmgateway.strategy"]).toBe("ordered");
    }
    expect(attempts.map((s) => s.attributes["gen_ai.provider.name"])).toEqual(["openai", "anthropic", "gcp.gemini"]);
    expect(attempts.map((s) => s.attributes["error.type"])).toEqual(["server_error", "overloaded", undefined]);
    expect(attempts[2]?.attributes["gen_ai.usage.output_tokens"]).toBe(12);
    expect(attempts[2]?.attributes["gen_ai.response.finish_reasons"]).toEqual(["stop"]);
    expect(attempts[2]?.attributes["llmgateway.cost.pico_usd"]).toBe(String(res.cost?.picoUnits));
    expect(attempts[2]?.links.map((l) => l.context.spanId)).toEqual([attempts[0]?.spanContext().spanId, attempts[1]?.spanContext().spanId]);
    const hops = server.events.filter((e) => e.name === "failover").map((e) => [e.attributes?.["llmgateway.failover.from_model"], e.attributes?.["llmgateway.failover.to_model"], e.attributes?.["llmgateway.failover.reason"]]);
    expect(hops).toEqual([["ma", "mb", "server_error"], ["mb", "mc", "overloaded"]]);
  });

  it("trace retries of one deployment: retry events and flags, no failover", async () => {
    await expect(h.grpc.complete(ask("ma"))).rejects.toThrow();
    const { server, attempts } = tree();
    expect(attempts).toHaveLength(6);
    expect(attempts.map((s) => [s.attributes["llmgateway.retry"], s.attributes["llmgateway.failover"]])).toEqual([[false, false], ...Array(5).fill([true, false])]);
    expect(attempts[1]?.links.map((l) => l.attributes?.["llmgateway.failover.reason"])).toEqual(["retry"]);
    expect(server.events.filter((e) => e.name === "failover")).toEqual([]);
    const retries = server.events.filter((e) => e.name === "retry").map((e) => [e.attributes?.["llmgateway.model"], e.attributes?.["llmgateway.failover.reason"]]);
    expect(retries).toEqual(Array(5).fill(["ma", "server_error"]));
  });

  it("trace a hedge: both attempts, the loser aborted, a hedge event on the RPC span", async () => {
    const res = await h.grpc.complete(ask("hedged"));
    expect(res.model).toBe("mc");
    const { server, attempts } = tree();
    expect(attempts.map((s) => [s.name, s.attributes["llmgateway.hedge"], s.attributes["llmgateway.outcome"]])).toEqual([
      ["chat slow-up", false, "aborted"],
      ["chat c-up", true, "succeeded"],
    ]);
    expect(attempts[1]?.links[0]?.context.spanId).toBe(attempts[0]?.spanContext().spanId);
    expect(server.events.map((e) => e.name)).toContain("hedge");
  });

  it("puts no prompt, answer or key into any span by default", async () => {
    await h.grpc.complete(ask("chain"));
    const dump = JSON.stringify(exporter.getFinishedSpans().map((s) => ({ a: s.attributes, e: s.events, n: s.name })));
    expect(dump).not.toContain("a secret prompt");
    expect(dump).not.toContain("simulated model");
    expect(dump).not.toContain("sk-secret-in-config-a");
  });

  it("traces a stream and ends its server span when the stream ends", async () => {
    for await (const _ of h.connect.streamComplete({ request: ask("mc") }, { headers: traceparent })) void _;
    const { server, attempts } = tree();
    expect(server.name).toBe("llmgateway.v1.GatewayService/StreamComplete");
    expect(attempts).toHaveLength(1);
    expect(attempts[0]?.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(attempts[0]?.attributes["llmgateway.time_to_first_token_ms"]).toBeGreaterThanOrEqual(0);
  });

  it("traces a call through the OpenAI door like the RPC it becomes, continuing the caller's trace and naming the route", async () => {
    const res = await fetch(`http://${h.address}/v1/chat/completions`, { method: "POST", headers: traceparent, body: JSON.stringify({ model: "chain", messages: [{ role: "user", content: "a secret prompt" }] }) });
    expect(res.status).toBe(200);
    const { server, attempts } = tree();
    expect(server.name).toBe("llmgateway.v1.GatewayService/Complete");
    expect(server.attributes["http.route"]).toBe("POST /v1/chat/completions");
    expect(server.spanContext().traceId).toBe(TRACE_ID);
    expect(attempts.map((a) => a.attributes["llmgateway.model"])).toEqual(["ma", "mb", "mc"]);
  });
});

/** The gateway answers over gRPC, Connect and gRPC-Web on one port, unary and streaming. */
import { Code, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";
import { AttemptFailuresSchema, ErrorKind, FinishReason, Role } from "../../gen/llmgateway/v1/types_pb.js";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { rejection } from "../helpers/expect-error.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    endpoints: {
      good: { kind: "openai", profile: { cachedTokens: 2 } },
      broken: { kind: "openai", profile: { errorRate: 1, error: "server_error" } },
    },
    config: {
      models: {
        cheap: { provider: "good", upstreamModel: "cheap-v1", pricing: { inputPerMTok: 0.28, cachedInputPerMTok: 0.028, outputPerMTok: 0.42 } },
        flaky: { provider: "broken", pricing: { inputPerMTok: 2, outputPerMTok: 8 }, fallbacks: ["cheap"] },
        dead: { provider: "broken", pricing: { inputPerMTok: 2, outputPerMTok: 8 } },
      },
      failover: { maxAttempts: 2, backoffBaseMs: 1, backoffMaxMs: 2 },
    },
  });
});
afterAll(() => h.close());

const ask = (model: string, content = "What is the capital of France?") => ({ model, messages: [{ role: Role.USER, content }] });

describe("unary Complete", () => {
  it.each(["grpc", "connect"] as const)("answers over %s with usage, exact cost and attempts", async (proto) => {
    const res = await h[proto].complete(ask("cheap"));
    expect(res.text).toContain("gateway answers");
    expect(res.finishReason).toBe(FinishReason.STOP);
    expect(res.model).toBe("cheap");
    expect(res.provider).toBe("good");
    expect(res.upstreamModel).toBe("cheap-v1");
    // "What is the capital of France?" is 30 chars -> 8 input tokens (2 cached), 12 output tokens.
    expect(res.usage?.inputTokens).toBe(8n);
    expect(res.usage?.cachedInputTokens).toBe(2n);
    expect(res.usage?.outputTokens).toBe(12n);
    // 6 uncached x 280,000 + 2 cached x 28,000 + 12 x 420,000 pico-dollars
    const picos = 6n * 280_000n + 2n * 28_000n + 12n * 420_000n;
    expect(res.cost?.units).toBe(0n);
    expect(res.cost?.picoUnits).toBe(picos);
    expect(res.cost?.decimal).toBe("0.000006776");
    expect(res.attempts).toHaveLength(1);
    expect(res.requestId).not.toBe("");
  });

  it("answers over gRPC-Web (HTTP/1.1)", async () => {
    const client = createClient(GatewayService, createGrpcWebTransport({ baseUrl: `http://${h.address}`, httpVersion: "1.1" }));
    const res = await client.complete({ ...ask("cheap"), requestId: "web-1" });
    expect(res.requestId).toBe("web-1");
    expect(res.text.length).toBeGreaterThan(0);
  });

  it("fails over to a configured fallback and reports both attempts", async () => {
    const res = await h.grpc.complete(ask("flaky"));
    expect(res.model).toBe("cheap");
    expect(res.attempts.map((a) => [a.model, a.errorKind])).toEqual([
      ["flaky", ErrorKind.SERVER_ERROR],
      ["cheap", ErrorKind.UNSPECIFIED],
    ]);
    expect(res.attempts[0]?.httpStatus).toBe(500);
  });

  it("answers UNAVAILABLE with every attempt in the message and a typed detail", async () => {
    const err = await rejection(h.grpc.complete(ask("dead")));
        expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toMatch(/#1 dead@broken server_error: 500/);
    expect(err.rawMessage).toMatch(/#2 dead@broken/);
    const [detail] = err.findDetails(AttemptFailuresSchema);
    expect(detail?.attempts).toHaveLength(2);
    expect(detail?.attempts[0]?.errorKind).toBe(ErrorKind.SERVER_ERROR);
    // A provider that answered 500 generated nothing: its usage is a known zero, not unknown.
    expect(detail?.attempts[0]?.usage?.inputTokens).toBe(0n);
    expect(detail?.attempts[0]?.usage?.outputTokens).toBe(0n);
  });

  it("answers NOT_FOUND for an unknown model, listing what exists", async () => {
    const err = await rejection(h.connect.complete(ask("gpt-9")));
    expect(err.code).toBe(Code.NotFound);
    expect(err.rawMessage).toContain("cheap");
  });

  it.each([
    [{ model: "cheap", messages: [] }, "messages"],
    [{ model: "", messages: [{ role: Role.USER, content: "x" }] }, "model"],
    [{ model: "cheap", messages: [{ role: Role.UNSPECIFIED, content: "x" }] }, "messages[0].role"],
    [{ ...ask("cheap"), maxTokens: 0 }, "max_tokens"],
    [{ ...ask("cheap"), temperature: 2.5 }, "temperature"],
    [{ ...ask("cheap"), topP: -0.1 }, "top_p"],
  ])("answers INVALID_ARGUMENT naming the field (%#)", async (req, field) => {
    const err = await rejection(h.grpc.complete(req));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage.startsWith(`${field}:`)).toBe(true);
  });
});

describe("StreamComplete", () => {
  it.each(["grpc", "connect"] as const)("streams deltas then one summary over %s", async (proto) => {
    const deltas: string[] = [];
    let summary;
    for await (const msg of h[proto].streamComplete({ request: ask("cheap") })) {
      if (msg.event.case === "delta") deltas.push(msg.event.value.text);
      else if (msg.event.case === "summary") summary = msg.event.value;
    }
    expect(deltas.length).toBe(12);
    expect(deltas.join("")).toBe("The gateway answers from a simulated model with exact usage and cost");
    expect(summary?.text).toBe("");
    expect(summary?.usage?.outputTokens).toBe(12n);
    expect(summary?.cost?.picoUnits).toBeGreaterThan(0n);
    expect(summary?.attempts[0]?.timeToFirstToken).toBeDefined();
  });

  it("validates the nested request with the field path", async () => {
    const run = async (): Promise<void> => {
      for await (const _ of h.grpc.streamComplete({ request: { model: "cheap", messages: [] } })) void _;
    };
    const err = await rejection(run());
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toMatch(/^request\.messages:/);
  });
});

describe("ListModels and health", () => {
  it("lists models with exact prices and routes", async () => {
    const res = await h.grpc.listModels({});
    const cheap = res.models.find((m) => m.name === "cheap");
    expect(cheap?.pricing?.inputPerMtok?.decimal).toBe("0.28");
    expect(cheap?.pricing?.cachedInputPerMtok?.decimal).toBe("0.028");
    expect(cheap?.providerKind).toBe("openai");
  });

  it("serves grpc.health.v1 Check for the server and the service", async () => {
    const health = createClient(Health, createGrpcTransport({ baseUrl: `http://${h.address}` }));
    expect((await health.check({ service: "" })).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    expect((await health.check({ service: "llmgateway.v1.GatewayService" })).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    const err = await rejection(health.check({ service: "nope" }));
    expect(err.code).toBe(Code.NotFound);
  });
});

/** Debugging tools work against the gateway: buf curl through server reflection, and plain curl. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oneModel, startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

const run = promisify(execFile);
let h: Harness;

beforeAll(async () => {
  const config = oneModel();
  // An embedding model beside the chat one, for Embed through reflection.
  h = await startHarness({ ...config, config: { models: { ...(config.config["models"] as object), e1: { kind: "embedding", provider: "sim", pricing: { inputPerMTok: 0.02 } } } } });
});
afterAll(() => h.close());

/** Runs buf curl asynchronously (the gateway serves from this process). */
async function bufCurl(...args: string[]): Promise<string> {
  const env = { ...process.env, BUF_CACHE_DIR: ".bufcache" };
  const { stdout } = await run("node_modules/.bin/buf", ["curl", "--http2-prior-knowledge", ...args], { env, encoding: "utf8", timeout: 20_000 });
  return stdout;
}

describe("buf curl", () => {
  it.each(["grpc-v1", "grpc-v1alpha"])("lists every method through reflection (%s)", async (reflect) => {
    const out = await bufCurl("--reflect-protocol", reflect, "--list-methods", `http://${h.address}`);
    expect(out.split("\n").filter(Boolean).sort()).toEqual([
      "grpc.health.v1.Health/Check",
      "grpc.health.v1.Health/Watch",
      "grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
      "llmgateway.v1.GatewayService/Complete",
      "llmgateway.v1.GatewayService/Embed",
      "llmgateway.v1.GatewayService/GetCostReport",
      "llmgateway.v1.GatewayService/ListModels",
      "llmgateway.v1.GatewayService/ReloadConfig",
      "llmgateway.v1.GatewayService/StreamComplete",
    ]);
  });

  it("calls Complete over gRPC with JSON it encodes from the reflected schema", async () => {
    const body = JSON.stringify({ model: "m1", messages: [{ role: "ROLE_USER", content: "hi" }], maxTokens: 3 });
    const out = JSON.parse(await bufCurl("--protocol", "grpc", "-d", body, `http://${h.address}/llmgateway.v1.GatewayService/Complete`)) as Record<string, unknown>;
    expect(out["text"]).toBe("The gateway answers");
    expect(out["finishReason"]).toBe("FINISH_REASON_LENGTH");
    expect(out["cost"]).toMatchObject({ decimal: "0.000007" });
  });

  it("streams StreamComplete", async () => {
    const body = JSON.stringify({ request: { model: "m1", messages: [{ role: "ROLE_USER", content: "hi" }], maxTokens: 2 } });
    const out = await bufCurl("--protocol", "grpc", "-d", body, `http://${h.address}/llmgateway.v1.GatewayService/StreamComplete`);
    expect(out).toContain('"delta"');
    expect(out).toContain('"summary"');
  });

  it("calls Embed, whose messages live in their own proto file, through reflection", async () => {
    const body = JSON.stringify({ model: "e1", inputs: ["hi", "there"], dimensions: 3 });
    const out = JSON.parse(await bufCurl("--protocol", "grpc", "-d", body, `http://${h.address}/llmgateway.v1.GatewayService/Embed`)) as Record<string, unknown>;
    expect((out["embeddings"] as { values: number[] }[]).map((e) => e.values.length)).toEqual([3, 3]);
    expect(out["usage"]).toEqual({ inputTokens: "3", outputTokens: "0" });
  });

  it("checks health", async () => {
    const out = await bufCurl("--protocol", "grpc", `http://${h.address}/grpc.health.v1.Health/Check`);
    expect(JSON.parse(out)).toEqual({ status: "SERVING" });
  });
});

describe("curl with Connect JSON over HTTP/1.1", () => {
  it("posts a CompleteRequest and reads the answer", async () => {
    const body = JSON.stringify({ model: "m1", messages: [{ role: "ROLE_USER", content: "hi" }] });
    const { stdout } = await run("curl", ["-sS", "--http1.1", "-H", "content-type: application/json", "-d", body, `http://${h.address}/llmgateway.v1.GatewayService/Complete`], { encoding: "utf8" });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out["text"]).toBe("The gateway answers from a simulated model with exact usage and cost");
    expect(out["usage"]).toMatchObject({ inputTokens: "1", outputTokens: "12" });
  });

  it("gets a Connect error with the right HTTP status for an invalid request", async () => {
    const body = JSON.stringify({ model: "m1", messages: [] });
    const { stdout } = await run("curl", ["-sS", "--http1.1", "-w", "\n%{http_code}", "-H", "content-type: application/json", "-d", body, `http://${h.address}/llmgateway.v1.GatewayService/Complete`], { encoding: "utf8" });
    const [json, status] = stdout.split("\n");
    expect(status).toBe("400");
    expect(JSON.parse(json ?? "{}")).toEqual({ code: "invalid_argument", message: "messages: must contain at least one message" });
  });
});

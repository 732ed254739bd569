/** A Python grpcio client, from stubs protoc generates out of proto/, calls the running gateway. */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oneModel, startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";
import { hasPythonGrpc, REQUIRE_ALL_CLIENTS } from "../helpers/tools.js";

const available = hasPythonGrpc();
if (!available && REQUIRE_ALL_CLIENTS) throw new Error("python3-grpcio, protobuf-compiler and protobuf-compiler-grpc are required (see .ci/run)");

let stubs: string;
beforeAll(() => {
  if (!available) return;
  stubs = mkdtempSync(join(tmpdir(), "gw-py-"));
  const protoc = ["--python_out", stubs, "--grpc_python_out", stubs, "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin"];
  execFileSync("/usr/bin/protoc", [...protoc, "-Iproto", "llmgateway/v1/gateway.proto", "llmgateway/v1/content.proto", "llmgateway/v1/types.proto", "llmgateway/v1/cost.proto", "llmgateway/v1/models.proto", "llmgateway/v1/embeddings.proto", "llmgateway/v1/config.proto"]);
  // The health stubs go into a flat folder, or a generated grpc/ package would shadow the real grpc module.
  execFileSync("/usr/bin/protoc", [...protoc, "-Iproto/vendor/grpc/health/v1", "health.proto"]);
});
afterAll(() => {
  if (stubs) rmSync(stubs, { recursive: true, force: true });
});

describe.skipIf(!available)("Python grpcio client", () => {
  let h: Harness;

  beforeAll(async () => {
    const one = oneModel();
    h = await startHarness({ ...one, config: { models: { ...(one.config["models"] as object), e1: { kind: "embedding", provider: "sim", pricing: { inputPerMTok: 0.02 } } } } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("calls Complete, StreamComplete and Health and gets statuses it can read", async () => {
    // Asynchronously: the gateway runs in this process and must keep serving while Python calls it.
    const { stdout } = await promisify(execFile)("/usr/bin/python3", ["test/integration/python-client.py", stubs, h.address], { encoding: "utf8", timeout: 20_000 });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out["text"]).toBe("The gateway answers from a simulated");
    expect(out["finish"]).toBe("FINISH_REASON_LENGTH");
    expect(out["output_tokens"]).toBe(6);
    expect(out["has_cache_write"]).toBe(false);
    // "Bonjour from Python" = 19 chars -> 5 input tokens x 1,000,000 + 6 x 2,000,000 pico-dollars
    expect(out["cost_pico_units"]).toBe(17_000_000);
    expect(out["cost_decimal"]).toBe("0.000017");
    expect(out["stream_text"]).toBe(out["text"]);
    expect(out["stream_deltas"]).toBe(6);
    expect(out["stream_output_tokens"]).toBe(6);
    expect(out["error_code"]).toBe("NOT_FOUND");
    expect(out["error_message"]).toContain('unknown model or route "no-such-model"');
    expect(out["health"]).toBe("SERVING");
    expect(out["embed"]).toEqual({ sizes: [5, 5], input_tokens: 4, has_usage: true, cost_pico_units: 80_000, kind: "MODEL_KIND_EMBEDDING" });
    expect(out["embed_error"]).toEqual(["INVALID_ARGUMENT", "inputs[1]: is empty"]);
  });
});

const KINDS = ["openai", "anthropic", "gemini"] as const;

describe.skipIf(!available)("Python grpcio client, real workloads on every provider kind", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      endpoints: Object.fromEntries(KINDS.map((k) => [k, { kind: k }])),
      config: { models: Object.fromEntries(KINDS.map((k) => [`${k}-model`, { provider: k, pricing: { inputPerMTok: 1, outputPerMTok: 2 } }])) },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("runs an agent loop (unary and streamed), a JSON-schema extraction and an image question", async () => {
    const models = KINDS.map((k) => `${k}-model`);
    const { stdout } = await promisify(execFile)("/usr/bin/python3", ["test/integration/python-workloads.py", stubs, h.address, ...models], { encoding: "utf8", timeout: 30_000 });
    const out = JSON.parse(stdout) as Record<string, Record<string, Record<string, unknown>>>;
    for (const model of models) {
      const r = out[model];
      for (const mode of ["unary", "stream"]) {
        expect(r?.[mode], `${model} ${mode}`).toMatchObject({ finish_1: "FINISH_REASON_TOOL_CALLS", tool: "get_weather", arguments: { city: "Paris" }, finish_2: "FINISH_REASON_STOP" });
        expect(String(r?.[mode]?.["answer"]), model).toContain("simulated model");
      }
      // The streamed fragments, joined, are the summary's assembled arguments.
      expect(r?.["stream"]?.["streamed_arguments"], model).toEqual(r?.["stream"]?.["summary_arguments"]);
      expect(r?.["json"], model).toEqual({ city: "Paris", population: 1 });
      expect(r?.["image"], model).toEqual({ finish: "FINISH_REASON_STOP", input_tokens: 91 });
      expect(r?.["bad_tool"], model).toBe('INVALID_ARGUMENT tools[1].name: repeats the tool name "get_weather"');
    }
  });
});

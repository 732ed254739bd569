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

describe.skipIf(!available)("Python grpcio client", () => {
  let h: Harness;
  let stubs: string;

  beforeAll(async () => {
    h = await startHarness(oneModel());
    stubs = mkdtempSync(join(tmpdir(), "gw-py-"));
    const protoc = ["--python_out", stubs, "--grpc_python_out", stubs, "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin"];
    execFileSync("/usr/bin/protoc", [...protoc, "-Iproto", "llmgateway/v1/gateway.proto", "llmgateway/v1/types.proto", "llmgateway/v1/cost.proto", "llmgateway/v1/models.proto"]);
    // The health stubs go into a flat folder, or a generated grpc/ package would shadow the real grpc module.
    execFileSync("/usr/bin/protoc", [...protoc, "-Iproto/vendor/grpc/health/v1", "health.proto"]);
  });
  afterAll(async () => {
    await h?.close();
    if (stubs) rmSync(stubs, { recursive: true, force: true });
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
  });
});

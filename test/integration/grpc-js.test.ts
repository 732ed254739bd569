/** An independent gRPC implementation (@grpc/grpc-js, proto loaded at run time) calls the gateway. */
import { status } from "@grpc/grpc-js";
import type { ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grpcJsStub, streamAll, unary } from "../helpers/grpc-js-stub.js";
import type { GatewayStub, Json, Unary } from "../helpers/grpc-js-stub.js";
import { oneModel, startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

let h: Harness;
let stub: GatewayStub;

beforeAll(async () => {
  h = await startHarness(oneModel({ chunkDelayMs: 1 }));
  stub = grpcJsStub(h.address);
});
afterAll(async () => {
  stub.close();
  await h.close();
});

const call = (method: Unary, req: Json, deadline?: number): Promise<Json> => unary(stub, method, req, deadline);

describe("grpc-js client", () => {
  it("calls Complete and reads usage, cost and attempts", async () => {
    const res = await call(stub.complete, { model: "m1", messages: [{ role: "ROLE_USER", content: "hello" }], tags: { team: "search" } });
    expect(res["text"]).toContain("simulated model");
    expect(res["finishReason"]).toBe("FINISH_REASON_STOP");
    expect(res["usage"]).toMatchObject({ inputTokens: "2", outputTokens: "12" });
    // 2 x 1,000,000 + 12 x 2,000,000 pico-dollars = $0.000026
    expect(res["cost"]).toMatchObject({ decimal: "0.000026", picoUnits: "26000000" });
    expect(res["attempts"]).toHaveLength(1);
  });

  it("streams deltas then a summary", async () => {
    const messages = await streamAll(stub, { request: { model: "m1", messages: [{ role: "ROLE_USER", content: "hi" }], maxTokens: 5 } });
    const deltas = messages.filter((m) => m["event"] === "delta");
    const summary = messages[messages.length - 1]?.["summary"] as Json | undefined;
    expect(deltas).toHaveLength(5);
    expect(summary?.["finishReason"]).toBe("FINISH_REASON_LENGTH");
    expect(summary?.["usage"]).toMatchObject({ outputTokens: "5" });
  });

  it("gets INVALID_ARGUMENT as a real gRPC status", async () => {
    const err = (await call(stub.complete, { model: "m1", messages: [] }).catch((e: unknown) => e)) as ServiceError;
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/^messages:/);
  });

  it("gets DEADLINE_EXCEEDED when its deadline passes before the provider answers", async () => {
    h.sim.setProfile("sim", { latencyMs: 2000 });
    try {
      const started = Date.now();
      const err = (await call(stub.complete, { model: "m1", messages: [{ role: "ROLE_USER", content: "hi" }] }, Date.now() + 200).catch((e: unknown) => e)) as ServiceError;
      expect(err.code).toBe(status.DEADLINE_EXCEEDED);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      h.sim.setProfile("sim", { chunkDelayMs: 1 });
    }
  });
});

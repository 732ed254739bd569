/** A client key sees only what it may use: ListModels and the cost report's baseline follow its allow-list. */
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import { keyHash, newClientKey } from "../../src/cli/keys.js";
import { rejection } from "../helpers/expect-error.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

const USER = newClientKey();
const ADMIN = newClientKey();
const price = (output: number) => ({ inputPerMTok: 1, outputPerMTok: output });

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    endpoints: { sim: { kind: "openai" } },
    config: {
      models: { a: { provider: "sim", pricing: price(2) }, b: { provider: "sim", pricing: price(4) }, c: { provider: "sim", pricing: price(8) }, secret: { provider: "sim", upstreamModel: "internal-xl", pricing: price(60) } },
      routes: { r: { models: ["a", "b"] }, all: { models: ["a", "secret"] } },
      auth: { keys: { team: { sha256: keyHash(USER), allow: ["r", "c"] }, ops: { sha256: keyHash(ADMIN), role: "admin" } } },
    },
  });
});
afterAll(() => h.close());

const as = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

describe("what a key sees", () => {
  it("lists only the routes a key is allowed and the models it can reach; an admin key sees all", async () => {
    const mine = await h.grpc.listModels({}, as(USER));
    expect(mine.models.map((m) => m.name).sort()).toEqual(["a", "b", "c"]);
    expect(mine.routes.map((r) => r.name)).toEqual(["r"]);
    expect(mine.models.map((m) => m.upstreamModel)).not.toContain("internal-xl");
    const all = await h.grpc.listModels({}, as(ADMIN));
    expect(all.models.map((m) => m.name).sort()).toEqual(["a", "b", "c", "secret"]);
    expect(all.routes.map((r) => r.name).sort()).toEqual(["all", "r"]);
  });

  it("compares a key's costs with the dearest model it may see, and refuses a baseline it may not", async () => {
    await h.grpc.complete({ model: "r", messages: [{ role: Role.USER, content: "hi" }] }, as(USER));
    expect((await h.grpc.getCostReport({}, as(USER))).baselineModel).toBe("c");
    expect((await h.grpc.getCostReport({}, as(ADMIN))).baselineModel).toBe("secret");
    const err = await rejection(h.grpc.getCostReport({ baselineModel: "secret" }, as(USER)));
    expect(err.code).toBe(Code.NotFound);
    expect(err.rawMessage).not.toContain("internal-xl");
  });
});

/**
 * The Embed RPC through a real listening gateway over simulated OpenAI and Gemini providers, with Connect-ES (gRPC and
 * Connect) and grpc-js clients: batches, dimensions, failover, keys, kinds, bad input by field, and the ledger and
 * the cost report (grouped by operation) equal to the simulators' tallies token for token and pico-dollar for pico-dollar.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Metadata } from "@grpc/grpc-js";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Dimension } from "../../gen/llmgateway/v1/cost_pb.js";
import type { EmbedRequest, EmbedResponse } from "../../gen/llmgateway/v1/embeddings_pb.js";
import { ModelKind } from "../../gen/llmgateway/v1/models_pb.js";
import { AttemptOutcome, Role, UsageBasis } from "../../gen/llmgateway/v1/types_pb.js";
import type { Money } from "../../gen/llmgateway/v1/types_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { EmbedRequestSchema } from "../../gen/llmgateway/v1/embeddings_pb.js";
import { keyHash, newClientKey } from "../../src/cli/keys.js";
import { simVector } from "../../src/sim/embed-vectors.js";
import { simEmbedTokens } from "../../src/sim/formats/embeddings.js";
import { rejection } from "../helpers/expect-error.js";
import { grpcJsStub } from "../helpers/grpc-js-stub.js";
import type { Json } from "../helpers/grpc-js-stub.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

const ADMIN = newClientKey();
const NARROW = newClientKey();
const POOR = newClientKey();
const PICOS = 1_000_000_000_000n;
/** $0.02 and $0.15 per million input tokens, in pico-dollars per token. */
const OA_PRICE = 20_000n;
const GE_PRICE = 150_000n;

let dir: string;
let h: Harness;
/** Input characters of each batch the Gemini endpoint served (the gateway estimates its tokens from them). */
const geminiBatches: number[] = [];
/** What the gateway said each served request cost, by serving model. */
const charged = new Map<string, bigint>();

const picos = (m: Money | undefined): bigint => (m ? m.units * PICOS + m.picoUnits : 0n);
const auth = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

/** Embeds through Connect-ES over gRPC with the admin key, recording what was charged and what Gemini served. */
async function embed(req: MessageInitShape<typeof EmbedRequestSchema>, key = ADMIN): Promise<EmbedResponse> {
  const res = await h.grpc.embed(req, auth(key));
  charged.set(res.model, (charged.get(res.model) ?? 0n) + picos(res.cost));
  if (res.provider === "ge") geminiBatches.push((req.inputs ?? []).reduce((n, t) => n + t.length, 0));
  return res;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gw-embed-"));
  h = await startHarness({
    endpoints: { oa: { kind: "openai" }, ge: { kind: "gemini" }, bad: { kind: "openai", profile: { errorRate: 1 } }, chat: { kind: "openai" } },
    config: {
      models: {
        "e-oa": { kind: "embedding", provider: "oa", pricing: { inputPerMTok: 0.02 } },
        "e-ge": { kind: "embedding", provider: "ge", dimensions: 1536, pricing: { inputPerMTok: 0.15 } },
        "e-bad": { kind: "embedding", provider: "bad", pricing: { inputPerMTok: 0.02 } },
        "e-short": { kind: "embedding", provider: "oa", maxInputTokens: 4, pricing: { inputPerMTok: 0.02 } },
        chat: { provider: "chat", pricing: { inputPerMTok: 1, outputPerMTok: 2 } },
      },
      routes: { embed: { strategy: "ordered", models: ["e-bad", "e-ge"] } },
      failover: { backoffBaseMs: 1, backoffMaxMs: 2 },
      breaker: { consecutiveFailures: 1000, errorRate: 1, minRequests: 100000 },
      ledger: { path: join(dir, "ledger.db") },
      auth: {
        keys: {
          ops: { sha256: keyHash(ADMIN), role: "admin" },
          narrow: { sha256: keyHash(NARROW), allow: ["e-oa"] },
          poor: { sha256: keyHash(POOR), monthlyBudgetUsd: 0.000001 },
        },
      },
    },
  });
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("Embed", () => {
  it("embeds a batch: one vector per input in order, the provider's usage, and its exact cost", async () => {
    const inputs = ["the quick brown fox", "jumps over", "the lazy dog", "π ≈ 3.14159"];
    const res = await embed({ model: "e-oa", inputs, tags: { team: "search" }, requestId: "batch-1" });
    expect(res.embeddings.map((e) => e.index)).toEqual([0, 1, 2, 3]);
    res.embeddings.forEach((e, i) => expect(e.values).toEqual(simVector(inputs[i] ?? "", 1536)));
    const tokens = simEmbedTokens(inputs);
    expect(res.usage?.inputTokens).toBe(BigInt(tokens));
    expect(res.usage?.outputTokens).toBe(0n);
    expect(picos(res.cost)).toBe(BigInt(tokens) * OA_PRICE);
    expect([res.requestId, res.model, res.provider, res.upstreamModel, res.route]).toEqual(["batch-1", "e-oa", "oa", "e-oa", ""]);
    expect(res.attempts.map((a) => [a.outcome, a.usageBasis])).toEqual([[AttemptOutcome.SUCCEEDED, UsageBasis.REPORTED]]);
  });

  it("passes dimensions to both providers, and the model's configured default when the request sets none", async () => {
    const oa = await embed({ model: "e-oa", inputs: ["short"], dimensions: 256 });
    expect(oa.embeddings[0]?.values).toHaveLength(256);
    const ge = await embed({ model: "e-ge", inputs: ["a", "b"], dimensions: 64 });
    expect(ge.embeddings.map((e) => e.values.length)).toEqual([64, 64]);
    expect((await embed({ model: "e-ge", inputs: ["default size"] })).embeddings[0]?.values).toHaveLength(1536);
  });

  it("fails over from a failing OpenAI-kind provider to Gemini, whose missing usage is estimated (and shown as absent)", async () => {
    const inputs = ["one", "two two", "three three three"];
    const res = await embed({ model: "embed", inputs });
    expect([res.model, res.route]).toEqual(["e-ge", "embed"]);
    expect(res.attempts.map((a) => [a.model, a.outcome])).toEqual([
      ["e-bad", AttemptOutcome.FAILED],
      ["e-ge", AttemptOutcome.SUCCEEDED],
    ]);
    expect(res.usage).toBeUndefined();
    const served = res.attempts[1];
    const estimate = Math.ceil(inputs.join("").length / 4);
    expect([served?.usageBasis, served?.usage?.inputTokens]).toEqual([UsageBasis.ESTIMATED, BigInt(estimate)]);
    expect(picos(res.cost)).toBe(BigInt(estimate) * GE_PRICE);
    expect(res.embeddings.map((e) => e.values)).toEqual(inputs.map((t) => simVector(t, 1536)));
  });

  it("embeds 2048 inputs on Gemini, which takes 100 a call: one attempt, its parts sent in order", async () => {
    const before = h.sim.tally("ge");
    const inputs = Array.from({ length: 2048 }, (_, i) => `text number ${i}`);
    const res = await embed({ model: "e-ge", inputs, dimensions: 4 });
    expect(res.embeddings.map((e) => e.values)).toEqual(inputs.map((t) => simVector(t, 4)));
    expect(res.attempts).toHaveLength(1);
    const after = h.sim.tally("ge");
    expect([after.embedRequests - before.embedRequests, after.embeddedTexts - before.embeddedTexts]).toEqual([21, 2048]);
  });

  it("serves grpc-js and Connect (JSON) clients alike", async () => {
    const stub = grpcJsStub(h.address);
    const md = new Metadata();
    md.add("authorization", `Bearer ${ADMIN}`);
    const res = await new Promise<Json>((resolve, reject) => stub.embed({ model: "e-oa", inputs: ["grpc-js"], dimensions: 8 }, md, {}, (err, r) => (err ? reject(err) : resolve(r))));
    stub.close();
    const vectors = res["embeddings"] as { index?: number; values: number[] }[];
    expect(vectors[0]?.values.map((v) => Math.fround(v))).toEqual(simVector("grpc-js", 8));
    expect((res["usage"] as Json)["inputTokens"]).toBe("2");
    charged.set("e-oa", (charged.get("e-oa") ?? 0n) + 2n * OA_PRICE);
    const json = await h.connect.embed({ model: "e-oa", inputs: ["connect"], dimensions: 4 }, auth(ADMIN));
    charged.set("e-oa", (charged.get("e-oa") ?? 0n) + picos(json.cost));
    expect(json.embeddings[0]?.values).toEqual(simVector("connect", 4));
  });

  it("applies a key's allow-list and budget", async () => {
    expect((await embed({ model: "e-oa", inputs: ["allowed"] }, NARROW)).model).toBe("e-oa");
    const denied = await rejection(h.grpc.embed({ model: "e-ge", inputs: ["not allowed"] }, auth(NARROW)));
    expect(denied.code).toBe(Code.PermissionDenied);
    // $0.000001 = 50 tokens at $0.02/M; each call of 100 characters costs 25 tokens.
    const codes: (Code | "ok")[] = [];
    for (let i = 0; i < 6; i++) {
      try {
        await embed({ model: "e-oa", inputs: ["x".repeat(100)] }, POOR);
        codes.push("ok");
      } catch (err) {
        codes.push((await rejection(Promise.reject(err))).code);
      }
    }
    expect(codes.slice(0, 2)).toEqual(["ok", "ok"]);
    expect(codes.slice(2)).toEqual([Code.ResourceExhausted, Code.ResourceExhausted, Code.ResourceExhausted, Code.ResourceExhausted]);
  });

  it("refuses a chat model in Embed and an embedding model in Complete, naming the model", async () => {
    const chat = await rejection(h.grpc.embed({ model: "chat", inputs: ["hi"] }, auth(ADMIN)));
    expect([chat.code, chat.rawMessage]).toEqual([Code.InvalidArgument, expect.stringContaining('model: "chat" is a chat model')]);
    const emb = await rejection(h.grpc.complete({ model: "e-oa", messages: [{ role: Role.USER, content: "hi" }] }, auth(ADMIN)));
    expect([emb.code, emb.rawMessage]).toEqual([Code.InvalidArgument, expect.stringContaining('model: "e-oa" is an embedding model')]);
    // A chat request still works beside them.
    expect((await h.grpc.complete({ model: "chat", messages: [{ role: Role.USER, content: "hi" }] }, auth(ADMIN))).model).toBe("chat");
  });

  it("names bad input by field: no model, no inputs, an empty input, zero dimensions, an input past the model's bound", async () => {
    const cases: [MessageInitShape<typeof EmbedRequestSchema>, string][] = [
      [{ inputs: ["a"] }, "model: is required"],
      [{ model: "e-oa", inputs: [] }, "inputs: must contain at least one text"],
      [{ model: "e-oa", inputs: ["a", "b", "c", ""] }, "inputs[3]: is empty"],
      [{ model: "e-oa", inputs: new Array<string>(2049).fill("a") }, "inputs: must contain at most 2048"],
      [{ model: "e-oa", inputs: ["a"], dimensions: 0 }, "dimensions: must be from 1"],
      [{ model: "e-oa", inputs: ["a"], tags: { "": "x" } }, 'tags[""]: key must be'],
      [{ model: "e-short", inputs: ["ok", "this one is longer than four tokens"] }, "inputs[1]: is about 9 tokens, over the 4-token input limit"],
    ];
    for (const [req, message] of cases) {
      const err = await rejection(h.connect.embed(req, auth(ADMIN)));
      expect([err.code, err.rawMessage]).toEqual([Code.InvalidArgument, expect.stringContaining(message)]);
    }
    const unknown = await rejection(h.grpc.embed({ model: "nope", inputs: ["a"] }, auth(ADMIN)));
    expect(unknown.code).toBe(Code.NotFound);
  });

  it("lists each model's kind", async () => {
    const list = await h.grpc.listModels({}, auth(ADMIN));
    const kinds = Object.fromEntries(list.models.map((m) => [m.name, [m.kind, m.dimensions, m.maxInputTokens, m.capabilities.length > 0]]));
    expect(kinds["e-ge"]).toEqual([ModelKind.EMBEDDING, 1536, 0, false]);
    expect(kinds["e-short"]).toEqual([ModelKind.EMBEDDING, 0, 4, false]);
    expect(kinds["chat"]).toEqual([ModelKind.CHAT, 0, 0, true]);
  });

  it("keeps ledger and report equal to the simulators' tallies, embeddings beside completions", async () => {
    const report = await h.grpc.getCostReport({ groupBy: [Dimension.OPERATION, Dimension.MODEL] }, auth(ADMIN));
    const group = (operation: string, model: string) => report.groups.find((g) => g.key["operation"] === operation && g.key["model"] === model);
    const oa = h.sim.tally("oa");
    const ge = h.sim.tally("ge");
    // OpenAI-kind: the provider's reported tokens, token for token; the cost, pico for pico.
    expect(group("embeddings", "e-oa")?.inputTokens).toBe(BigInt(oa.inputTokens));
    expect(picos(group("embeddings", "e-oa")?.cost)).toBe(BigInt(oa.inputTokens) * OA_PRICE);
    expect(picos(group("embeddings", "e-oa")?.cost)).toBe(charged.get("e-oa"));
    expect(group("embeddings", "e-oa")?.outputTokens).toBe(0n);
    // Gemini reports nothing: every batch it served is estimated from the characters it served, and says so.
    expect(ge.embeddedChars).toBe(geminiBatches.reduce((a, b) => a + b, 0));
    const estimated = geminiBatches.reduce((sum, chars) => sum + BigInt(Math.max(1, Math.ceil(chars / 4))), 0n);
    expect(group("embeddings", "e-ge")?.inputTokens).toBe(estimated);
    expect(group("embeddings", "e-ge")?.estimatedUsageAttempts).toBe(BigInt(geminiBatches.length));
    expect(picos(group("embeddings", "e-ge")?.cost)).toBe(estimated * GE_PRICE);
    expect(picos(group("embeddings", "e-ge")?.estimatedCost)).toBe(estimated * GE_PRICE);
    expect(picos(group("embeddings", "e-ge")?.cost)).toBe(charged.get("e-ge"));
    // The failing provider's attempts are rows too, billed nothing (it refused with an HTTP error).
    expect([group("embeddings", "e-bad")?.inputTokens, picos(group("embeddings", "e-bad")?.cost)]).toEqual([0n, 0n]);
    // The chat completion sits beside them, under its own operation.
    expect(group("chat", "chat")?.successes).toBe(1n);
    expect(group("chat", "chat")?.inputTokens).toBe(BigInt(h.sim.tally("chat").inputTokens));
    // The operation filter: only embeddings.
    const only = await h.grpc.getCostReport({ operations: ["embeddings"], groupBy: [Dimension.OPERATION] }, auth(ADMIN));
    expect(only.groups.map((g) => g.key["operation"])).toEqual(["embeddings"]);
    expect(picos(only.total?.cost)).toBe(BigInt(oa.inputTokens) * OA_PRICE + estimated * GE_PRICE);
    const bad = await rejection(h.grpc.getCostReport({ operations: ["images"] }, auth(ADMIN)));
    expect([bad.code, bad.rawMessage]).toEqual([Code.InvalidArgument, expect.stringContaining("operations[0]")]);
  });
});

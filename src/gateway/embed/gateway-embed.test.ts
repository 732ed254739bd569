/** gateway.embed over fake providers with fake time: failover, timeouts and cancellation accounted, kinds, input bounds. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { configFor, context, fixture, request, settle } from "../../../test/helpers/gateway-fixture.js";
import { GatewayError } from "../types.js";
import { embedRequest } from "./embed-request.js";
import type { EmbedOutcome } from "./embed-request.js";

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const EMB = { kind: "embedding", pricing: { inputPerMTok: 1 } };
const config = (models: Record<string, Record<string, unknown>>, route: string[], failover: Record<string, unknown> = {}) =>
  configFor(models, { routes: { r: { strategy: "ordered", models: route } }, failover: { backoffBaseMs: 10, backoffMaxMs: 10, maxWaitMs: 0, ...failover } });
const batch = (target: string, inputs: string[] = ["hello world", "bye"]) => embedRequest({ target, inputs, dimensions: undefined, tags: {}, requestId: "e-1" });

function ok(r: EmbedOutcome | GatewayError): EmbedOutcome {
  if (r instanceof GatewayError) throw new Error(`failed: ${r.message}`);
  return r;
}
function err(r: unknown): GatewayError {
  if (!(r instanceof GatewayError)) throw new Error("served");
  return r;
}

describe("gateway.embed", () => {
  it("fails over from a hung provider at the attempt timeout; the hung call is estimated at the prompt's tokens, with no output", async () => {
    const { gateway } = fixture(config({ a: EMB, b: EMB }, ["a", "b"], { attemptTimeoutMs: 1_000 }), { a: { hang: true }, b: { ok: "" } });
    const out = ok(await settle(gateway.embed(batch("r"), context())));
    expect(out.vectors).toEqual([
      [0, 1],
      [1, 1],
    ]);
    expect(out.attempts.map((a) => [a.model, a.outcome, a.errorKind, a.usageBasis, a.usage, a.costPicos])).toEqual([
      ["a", "failed", "timeout", "estimated", { inputTokens: 4, outputTokens: 0 }, 4_000_000n],
      ["b", "succeeded", undefined, "reported", { inputTokens: 10, outputTokens: 0 }, 10_000_000n],
    ]);
    expect([out.model, out.route, out.costPicos, out.usage]).toEqual(["b", "r", 14_000_000n, { inputTokens: 10, outputTokens: 0 }]);
  });

  it("ends with CANCELLED when the client goes away, the attempt aborted and its provider call cancelled", async () => {
    const { gateway, fakes } = fixture(config({ a: EMB }, ["a"]), { a: { hang: true } });
    const client = new AbortController();
    const pending = settle(gateway.embed(batch("r"), context(undefined, client.signal)), 100);
    setTimeout(() => client.abort(), 50);
    const e = err(await pending);
    expect(e.code).toBe("cancelled");
    expect(e.attempts.map((a) => [a.outcome, a.usageBasis])).toEqual([["aborted", "estimated"]]);
    expect(fakes.a?.aborted).toBe(1);
  });

  it("refuses an embeddings request for a chat model, and a completion for an embedding model, before any call", async () => {
    const { gateway, fakes } = fixture(configFor({ chat: {}, e: EMB }), {});
    const wrong = err(await settle(gateway.embed(batch("chat"), context())));
    expect([wrong.code, wrong.message, wrong.refusal]).toEqual(["invalid_argument", expect.stringContaining('model: "chat" is a chat model'), "wrong_kind"]);
    const chat = err(await settle(gateway.complete(request("e"), context())));
    expect([chat.code, chat.message]).toEqual(["invalid_argument", expect.stringContaining('model: "e" is an embedding model')]);
    expect([fakes.chat?.calls.length, fakes.e?.calls.length]).toEqual([0, 0]);
  });

  it("leaves out models whose input bound the longest input passes, and names that input when none is left", async () => {
    const models = { small: { ...EMB, maxInputTokens: 2 }, big: EMB };
    const { gateway, fakes } = fixture(configFor(models, { routes: { r: { models: ["small", "big"] }, only: { models: ["small"] } } }), {});
    const out = ok(await settle(gateway.embed(batch("r", ["hi", "a longer text"]), context())));
    expect([out.model, fakes.small?.calls.length]).toEqual(["big", 0]);
    const e = err(await settle(gateway.embed(batch("only", ["hi", "a longer text"]), context())));
    expect([e.code, e.message]).toEqual(["invalid_argument", "inputs[1]: is about 4 tokens, over the 2-token input limit of every model that may serve it"]);
  });

  it("does not retry a request the provider refused as invalid", async () => {
    const { gateway, fakes } = fixture(config({ a: EMB, b: EMB }, ["a", "b"]), { a: { fail: "invalid_request", status: 400 } });
    const e = err(await settle(gateway.embed(batch("r"), context())));
    expect([e.code, e.attempts.map((a) => [a.usageBasis, a.costPicos])]).toEqual(["invalid_argument", [["reported", 0n]]]);
    expect(fakes.b?.calls).toHaveLength(0);
  });

  it("refuses before any call a batch whose vectors cannot fit in an answer, and leaves out only the models whose size cannot", async () => {
    const models = { wide: { ...EMB, dimensions: 3072 }, narrow: { ...EMB, dimensions: 256 } };
    const cfg = configFor(models, { routes: { r: { models: ["wide", "narrow"] }, w: { models: ["wide"] } }, server: { maxResponseBytes: 1 << 20 } });
    const { gateway, fakes } = fixture(cfg, {});
    const inputs = Array.from({ length: 200 }, (_, i) => `t${i}`);
    // 200 x 3072 floats is about 2.4 MB: over 1 MiB; 200 x 256 is about 200 KB.
    const out = ok(await settle(gateway.embed(batch("r", inputs), context())));
    expect([out.model, fakes.wide?.calls.length]).toEqual(["narrow", 0]);
    const e = err(await settle(gateway.embed(batch("w", inputs), context())));
    expect([e.code, e.message]).toEqual(["resource_exhausted", expect.stringContaining("200 vectors of 3072 dimensions are about")]);
    expect(fakes.wide?.calls).toHaveLength(0);
    // Asked dimensions decide over the configured ones.
    const asked = embedRequest({ target: "w", inputs, dimensions: 64, tags: {}, requestId: "e-2" });
    expect(ok(await settle(gateway.embed(asked, context()))).model).toBe("wide");
  });
});

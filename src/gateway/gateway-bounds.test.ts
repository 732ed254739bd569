/** A held (JSON) stream is bounded too: past max_tokens it fails over before anything is sent; over the answer size it ends with RESOURCE_EXHAUSTED. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Gateway } from "./gateway.js";
import { GatewayError } from "./types.js";
import type { CompletionOutcome, GatewayRequest } from "./types.js";
import { configFor, context, fixture, request, readStream as read } from "../../test/helpers/gateway-fixture.js";

beforeEach(() => {
  vi.useFakeTimers({ now: 2_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const config = () => configFor({ a: {}, b: {} }, { routes: { r: { strategy: "ordered", models: ["a", "b"] } }, server: { maxResponseBytes: 65536 } });

/** A JSON object holding `n` ones, as words the fake streams one event each. */
const jsonOf = (n: number): string => `{"a": [${Array.from({ length: n }, () => "1").join(", ")}]}`;

function jsonRequest(maxTokens?: number): GatewayRequest {
  const base = request("r");
  return { ...base, chat: { ...base.chat, responseFormat: { type: "json_object" }, params: maxTokens === undefined ? {} : { maxTokens } } };
}

describe("bounds of a held stream", () => {
  it("fails an answer past max_tokens over to the next candidate before anything is sent", async () => {
    const { gateway } = fixture(config(), { a: { ok: jsonOf(200) }, b: { ok: jsonOf(3) } });
    const r = await read(gateway, jsonRequest(10));
    expect(r.error).toBeUndefined();
    expect(r.deltas.join("")).toBe('{"a":[1,1,1]}');
    expect(r.outcome?.attempts.map((a) => [a.model, a.outcome, a.errorKind, a.reason])).toEqual([
      ["a", "failed", "invalid_response", expect.stringMatching(/^provider streamed past max_tokens \(85 output events, \d+ characters\)$/)],
      ["b", "succeeded", undefined, expect.any(String)],
    ]);
  });

  it("ends a held answer over server.maxResponseBytes with RESOURCE_EXHAUSTED, nothing sent, the attempt billed", async () => {
    const { gateway } = fixture(config(), { a: { ok: jsonOf(40_000) }, b: { ok: jsonOf(3) } });
    const r = await read(gateway, jsonRequest());
    expect(r.deltas).toEqual([]);
    expect(r.error?.code).toBe("resource_exhausted");
    expect(r.error?.message).toMatch(/over the server's limit of 65536 bytes \(server\.maxResponseBytes\)/);
    // Not the provider's fault, and not worth another candidate: the one attempt, closed neutral and billed.
    expect(r.error?.attempts.map((a) => [a.model, a.errorKind])).toEqual([["a", "cancelled"]]);
    expect(r.error?.attempts[0]?.costPicos).toBeGreaterThan(0n);
  });

  it("refuses a unary answer over the limit after billing it", async () => {
    const { gateway } = fixture(config(), { a: { ok: "x".repeat(70_000) } });
    const p = gateway.complete(request("r"), context()).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10_000);
    const err = (await p) as GatewayError;
    expect(err.code).toBe("resource_exhausted");
    expect(err.attempts.map((a) => [a.model, a.outcome])).toEqual([["a", "succeeded"]]);
    expect(err.attempts[0]?.costPicos).toBeGreaterThan(0n);
  });
});

/** The core checks answers against what was asked (JSON, a schema, tool calls) and routes by capability. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ChatRequest } from "../providers/types.js";
import { configFor, context, failed, fixture, request, served, settle } from "../../test/helpers/gateway-fixture.js";
import type { CompletionOutcome, GatewayError, GatewayStreamEvent } from "./types.js";

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const SCHEMA = { type: "object", properties: { city: { type: "string" }, temp: { type: "number" } }, required: ["city", "temp"] };
const asksJson: Partial<ChatRequest> = { responseFormat: { type: "json_schema", name: "w", schema: SCHEMA, strict: true, skipValidation: false } };
const tools: Partial<ChatRequest> = { tools: [{ name: "get_weather", parameters: { type: "object" } }] };
const chat = (extra: Partial<ChatRequest>) => ({ chat: { messages: [{ role: "user" as const, content: "weather?" }], params: {}, ...extra } });
const route = (models: Record<string, Record<string, unknown>>) =>
  configFor(models, { routes: { r: { strategy: "ordered", models: Object.keys(models) } }, failover: { backoffBaseMs: 1, backoffMaxMs: 1, maxWaitMs: 1 } });

/** Collects a stream: the client's events, and the summary or the error. */
async function drain(it: AsyncIterable<GatewayStreamEvent>): Promise<{ events: GatewayStreamEvent[]; outcome?: CompletionOutcome; error?: GatewayError }> {
  const events: GatewayStreamEvent[] = [];
  try {
    for await (const ev of it) {
      if (ev.type === "done") return { events, outcome: ev.outcome };
      events.push(ev);
    }
  } catch (err) {
    return { events, error: err as GatewayError };
  }
  return { events };
}

describe("answers checked against the request", () => {
  it("fails over from an answer that does not match the schema, and bills it", async () => {
    const { gateway } = fixture(route({ a: {}, b: {} }), { a: { ok: '{"city":"Paris"}' }, b: { ok: '{"city":"Paris","temp":18}' } });
    const out = served(await settle(gateway.complete(request("r", "weather?", chat(asksJson)), context())));
    expect(out.text).toBe('{"city":"Paris","temp":18}');
    expect(out.attempts.map((a) => [a.model, a.outcome, a.errorKind])).toEqual([
      ["a", "failed", "invalid_response"],
      ["b", "succeeded", undefined],
    ]);
    expect(out.attempts[0]?.reason).toContain("must have required property 'temp'");
    expect(out.attempts[0]?.costPicos).toBeGreaterThan(0n);
  });

  it("passes an answer that does not match when the client asked for no check", async () => {
    const skip: Partial<ChatRequest> = { responseFormat: { type: "json_schema", name: "w", schema: SCHEMA, strict: false, skipValidation: true } };
    const { gateway } = fixture(route({ a: {} }), { a: { ok: "not json" } });
    expect(served(await settle(gateway.complete(request("r", "x", chat(skip)), context()))).text).toBe("not json");
  });

  it("never answers invalid JSON: UNAVAILABLE naming the check when every model fails it", async () => {
    const { gateway } = fixture(route({ a: {} }), { a: { ok: "Sure! Here is JSON" } });
    const e = failed(await settle(gateway.complete(request("r", "x", chat({ responseFormat: { type: "json_object" } })), context())));
    expect(e.code).toBe("unavailable");
    expect(e.attempts[0]?.reason).toContain("not JSON");
  });

  it("fails over from tool-call arguments that are not a JSON object, or a tool never declared", async () => {
    const { gateway } = fixture(route({ a: {}, b: {}, c: {} }), {
      a: { ok: "", toolCalls: [{ id: "1", name: "get_weather", arguments: '{"city":' }] },
      b: { ok: "", toolCalls: [{ id: "2", name: "rm_rf", arguments: "{}" }] },
      c: { ok: "", toolCalls: [{ id: "3", name: "get_weather", arguments: '{"city":"Paris"}' }] },
    });
    const out = served(await settle(gateway.complete(request("r", "x", chat(tools)), context())));
    expect(out.toolCalls).toEqual([{ id: "3", name: "get_weather", arguments: '{"city":"Paris"}' }]);
    expect(out.finishReason).toBe("tool_calls");
    expect(out.attempts.map((a) => a.reason)).toEqual([expect.stringContaining("not a JSON object"), expect.stringContaining('undeclared tool "rm_rf"'), expect.any(String)]);
  });

  it("streams tool-call deltas, committing on the first, and assembles the calls in the summary", async () => {
    const call = { id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' };
    const { gateway } = fixture(route({ a: {}, b: {} }), { a: { ok: "", toolCalls: [call] }, b: { ok: "never" } });
    const { events, outcome } = await drain(gateway.stream(request("r", "x", chat(tools)), context()));
    expect(events).toEqual([
      { type: "tool_call", delta: { index: 0, id: "call_1", name: "get_weather", arguments: '{"city":' } },
      { type: "tool_call", delta: { index: 0, arguments: '"Paris"}' } },
    ]);
    expect(outcome?.toolCalls).toEqual([call]);
    expect(outcome?.finishReason).toBe("tool_calls");
    expect(outcome?.attempts).toHaveLength(1);
  });

  it("holds a streamed JSON answer until it is checked, failing over from a bad one without sending it", async () => {
    const { gateway } = fixture(route({ a: {}, b: {} }), { a: { ok: '{"city": "Paris"}' }, b: { ok: '{"city": "Paris", "temp": 18}' } });
    const { events, outcome } = await drain(gateway.stream(request("r", "x", chat(asksJson)), context()));
    expect(events.map((e) => (e.type === "delta" ? e.text : "")).join(" ")).toBe('{"city": "Paris", "temp": 18}');
    expect(outcome?.attempts.map((a) => a.outcome)).toEqual(["failed", "succeeded"]);
  });
});

describe("routing by capability", () => {
  it("skips a model that lacks a capability, and one whose wire format cannot carry the request", async () => {
    const { gateway, fakes } = fixture(route({ a: { capabilities: { tools: false } }, b: {}, c: {} }), {});
    if (fakes.b) fakes.b.unsupported = () => ({ field: "tools[0].parameters", reason: "not here" });
    const out = served(await settle(gateway.complete(request("r", "x", chat(tools)), context())));
    expect(out.model).toBe("c");
    expect(fakes.a?.calls).toHaveLength(0);
    expect(fakes.b?.calls).toHaveLength(0);
  });

  it("says which capability was missing when no model can serve", async () => {
    const { gateway, fakes } = fixture(route({ a: {}, b: { capabilities: { reasoning: true } } }), {});
    if (fakes.b) fakes.b.unsupported = () => ({ field: "reasoning.budget_tokens", reason: "too small" });
    const e = failed(await settle(gateway.complete(request("r", "x", chat({ reasoning: { effort: "high" } })), context())));
    expect(e.code).toBe("invalid_argument");
    expect(e.message).toBe('no model of "r" can serve this request: a lacks the reasoning capability (reasoning); b cannot take reasoning.budget_tokens: too small');
  });

  it("routes plain chat without asking the wire formats", async () => {
    const { gateway, fakes } = fixture(route({ a: {} }), {});
    let asked = 0;
    if (fakes.a) fakes.a.unsupported = () => (asked++, undefined);
    served(await settle(gateway.complete(request("r"), context())));
    expect(asked).toBe(0);
  });
});

describe("what the review of the answer check found", () => {
  const optionalB = { type: "object", properties: { a: { type: "string" }, b: { type: "integer" } }, required: ["a"] };
  const strictJson: Partial<ChatRequest> = { responseFormat: { type: "json_schema", name: "x", schema: optionalB, strict: true, skipValidation: false } };

  it("takes a strict mode's null for an optional property as its absence, and sends the answer without it", async () => {
    const { gateway } = fixture(route({ a: {} }), { a: { ok: '{"a":"x","b":null}' } });
    expect(served(await settle(gateway.complete(request("r", "x", chat(strictJson)), context()))).text).toBe('{"a":"x"}');
    const { events, outcome } = await drain(gateway.stream(request("r", "x", chat(strictJson)), context()));
    expect(events).toEqual([{ type: "delta", text: '{"a":"x"}' }]);
    expect(outcome?.attempts).toHaveLength(1);
  });

  it("passes an answer cut at max_tokens as it is, with its finish reason, instead of failing over", async () => {
    const { gateway, fakes } = fixture(route({ a: {}, b: {} }), { a: { ok: '{"a": "x', finish: "length" } });
    const out = served(await settle(gateway.complete(request("r", "x", chat(strictJson)), context())));
    expect([out.text, out.finishReason]).toEqual(['{"a": "x', "length"]);
    expect(fakes.b?.calls).toHaveLength(0);
  });

  it("checks a strict tool's arguments against its schema", async () => {
    const strictTool: Partial<ChatRequest> = { tools: [{ name: "get_weather", parameters: optionalB, strict: true }] };
    const { gateway } = fixture(route({ a: {}, b: {} }), {
      a: { ok: "", toolCalls: [{ id: "1", name: "get_weather", arguments: '{"b":2}' }] },
      b: { ok: "", toolCalls: [{ id: "2", name: "get_weather", arguments: '{"a":"Paris","b":null}' }] },
    });
    const out = served(await settle(gateway.complete(request("r", "x", chat(strictTool)), context())));
    expect(out.attempts[0]?.reason).toContain("do not match its schema");
    expect(out.toolCalls).toEqual([{ id: "2", name: "get_weather", arguments: '{"a":"Paris"}' }]);
  });

  it("does not hedge a held JSON stream that is answering, however long it takes", async () => {
    const config = configFor({ a: {}, b: {} }, { routes: { r: { strategy: "ordered", models: ["a", "b"], hedge: { delayMs: 50 } } } });
    const { gateway, fakes } = fixture(config, { a: { ok: '{"city": "Paris", "temp": 18}', chunkDelayMs: 40 } });
    const done = drain(gateway.stream(request("r", "x", chat(asksJson)), context()));
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await done).outcome?.attempts).toHaveLength(1);
    expect(fakes.b?.calls).toHaveLength(0);
  });

  it("does not send 'no reasoning' to a model without the capability (its default already)", async () => {
    const seen: unknown[] = [];
    const { gateway, fakes } = fixture(route({ a: {} }), {});
    if (fakes.a) fakes.a.script = (_i, call) => (seen.push(call.request.reasoning), { ok: "hi" });
    served(await settle(gateway.complete(request("r", "x", chat({ reasoning: { effort: "none" } })), context())));
    expect(seen).toEqual([undefined]);
  });
});

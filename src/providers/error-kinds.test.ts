import { describe, expect, it } from "vitest";
import { anthropicWire } from "./anthropic/wire.js";
import { kindForStatus } from "./errors.js";
import { geminiWire } from "./gemini/wire.js";
import { safeLabel } from "./headers.js";
import { openAiWire } from "./openai/wire.js";
import type { WireFormat } from "./wire.js";

const FORMATS: ReadonlyArray<readonly [string, WireFormat]> = [
  ["openai", openAiWire({ now: () => 0 })],
  ["anthropic", anthropicWire({ now: () => 0 })],
  ["gemini", geminiWire({ now: () => 0 })],
];

describe("kindForStatus", () => {
  it.each([
    [400, "invalid_request"],
    [401, "auth"],
    [402, "quota_exhausted"],
    [403, "auth"],
    [404, "model_unavailable"],
    [408, "timeout"],
    [409, "invalid_request"],
    [413, "context_too_long"],
    [418, "invalid_request"],
    [422, "invalid_request"],
    [429, "rate_limited"],
    [500, "server_error"],
    [502, "server_error"],
    [503, "overloaded"],
    [504, "timeout"],
    [529, "overloaded"],
    [200, "server_error"],
    [302, "server_error"],
    [undefined, "server_error"],
  ] as const)("%s -> %s", (status, kind) => {
    expect(kindForStatus(status)).toBe(kind);
  });

  it("gives the same kind for a bare status in every wire format, except where a format overrides it", () => {
    for (const status of [400, 401, 402, 403, 404, 408, 413, 418, 422, 429, 500, 502, 503, 504, 529]) {
      for (const [name, wire] of FORMATS) expect(wire.classifyError(status, {}, "").kind, `${name} ${status}`).toBe(kindForStatus(status));
    }
    expect(openAiWire({ now: () => 0 }).classifyError(409, {}, "").kind).toBe("server_error");
  });
});

describe("model_unavailable", () => {
  it("is the kind of a missing deployment in every wire format, unary and streamed", () => {
    const anthropic = JSON.stringify({ type: "error", error: { type: "not_found_error", message: "model: claude-9" } });
    expect(anthropicWire({ now: () => 0 }).classifyError(404, {}, anthropic).kind).toBe("model_unavailable");
    expect(() => anthropicWire({ now: () => 0 }).parseResponse(anthropic)).toThrow(expect.objectContaining({ kind: "model_unavailable" }));
    const gemini = JSON.stringify({ error: { code: 400, message: "User location is not supported for the API use.", status: "FAILED_PRECONDITION" } });
    expect(() => geminiWire({ now: () => 0 }).parseResponse(gemini)).toThrow(expect.objectContaining({ kind: "model_unavailable" }));
    const openai = JSON.stringify({ error: { message: "The model `gpt-9` does not exist", type: "invalid_request_error", param: null, code: "model_not_found" } });
    expect(openAiWire({ now: () => 0 }).classifyError(400, {}, openai).kind).toBe("model_unavailable");
  });
});

describe("safeLabel", () => {
  it("keeps short plain tokens, maps anything else to unknown, and keeps absent absent", () => {
    expect(safeLabel("overloaded_error")).toBe("overloaded_error");
    expect(safeLabel("RESOURCE_EXHAUSTED")).toBe("RESOURCE_EXHAUSTED");
    expect(safeLabel("v1.model-not-found")).toBe("v1.model-not-found");
    expect(safeLabel("a".repeat(64))).toBe("a".repeat(64));
    expect(safeLabel("a".repeat(65))).toBe("unknown");
    expect(safeLabel("")).toBe("unknown");
    expect(safeLabel("rate limit")).toBe("unknown");
    expect(safeLabel("x\ny")).toBe("unknown");
    expect(safeLabel(undefined)).toBeUndefined();
  });
});

describe("provider-controlled labels in client-facing reasons", () => {
  const KEY = "sk-live-0123456789abcdef";
  const HOSTILE = [`rate_limit_exceeded\n200 OK\nx-api-key: ${KEY}`, `${KEY}`.padEnd(200, "A"), "ok\u0000", "<script>alert(1)</script>", "a".repeat(200)];

  /** An error body of each format with a hostile label where the format puts its type, code or status. */
  const bodies = (label: string): ReadonlyArray<readonly [string, WireFormat, string]> => [
    ["openai code", openAiWire({ now: () => 0 }), JSON.stringify({ error: { message: "m", type: "invalid_request_error", param: null, code: label } })],
    ["openai type", openAiWire({ now: () => 0 }), JSON.stringify({ error: { message: "m", type: label, param: null, code: null } })],
    ["anthropic", anthropicWire({ now: () => 0 }), JSON.stringify({ type: "error", error: { type: label, message: "m" } })],
    ["gemini", geminiWire({ now: () => 0 }), JSON.stringify({ error: { code: 429, message: "m", status: label } })],
  ];

  it("replaces a hostile label by unknown in the reason and the provider type, still classifying by status", () => {
    for (const label of HOSTILE) {
      for (const [name, wire, text] of bodies(label)) {
        const err = wire.classifyError(429, {}, text);
        expect(err.message, name).toBe("429 unknown");
        expect(err.providerType, name).toBe("unknown");
        expect(err.kind, name).toBe("rate_limited");
        expect(err.message, name).not.toContain(KEY);
      }
    }
  });

  it("sanitises labels of errors inside streams and of blocked prompts", () => {
    const label = `overloaded_error ${KEY}\n`;
    const anthropic = anthropicWire({ now: () => 0 }).streamDecoder();
    expect(() => anthropic.push({ event: "error", data: JSON.stringify({ type: "error", error: { type: label, message: "m" } }) })).toThrow(
      expect.objectContaining({ message: "stream error unknown", providerType: "unknown" }),
    );
    const gemini = geminiWire({ now: () => 0 }).streamDecoder();
    expect(() => gemini.push({ event: undefined, data: JSON.stringify({ error: { code: 503, message: "m", status: label } }) })).toThrow(
      expect.objectContaining({ message: "stream error unknown", kind: "overloaded" }),
    );
    const blocked = JSON.stringify({ promptFeedback: { blockReason: label }, usageMetadata: { promptTokenCount: 3 } });
    expect(() => geminiWire({ now: () => 0 }).parseResponse(blocked)).toThrow(expect.objectContaining({ message: "prompt blocked unknown", kind: "content_filtered" }));
  });

  it("classifies labels named like inherited object members by status, and reads such a finish reason as other", () => {
    for (const label of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      for (const [name, wire, text] of bodies(label)) expect(wire.classifyError(429, {}, text).kind, `${name} ${label}`).toBe("rate_limited");
    }
    const openai = '{"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"a"},"finish_reason":"constructor"}]}';
    expect(openAiWire({ now: () => 0 }).parseResponse(openai).finishReason).toBe("other");
    const anthropic = '{"type":"message","model":"m","content":[{"type":"text","text":"a"}],"stop_reason":"toString","usage":{}}';
    expect(anthropicWire({ now: () => 0 }).parseResponse(anthropic).finishReason).toBe("other");
    const gemini = '{"candidates":[{"content":{"role":"model","parts":[{"text":"a"}]},"finishReason":"__proto__"}]}';
    expect(geminiWire({ now: () => 0 }).parseResponse(gemini).finishReason).toBe("other");
  });

  it("keeps a well-formed label as the provider sent it", () => {
    const err = anthropicWire({ now: () => 0 }).classifyError(529, {}, JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "m" } }));
    expect(err.message).toBe("529 overloaded_error");
  });
});

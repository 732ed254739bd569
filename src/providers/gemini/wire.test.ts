import { describe, expect, it } from "vitest";
import type { StreamEvent, UpstreamCall } from "../types.js";
import { geminiWire } from "./wire.js";
import { decode, text } from "../../../test/helpers/sse-decode.js";

const NOW = Date.parse("2025-06-01T12:00:00Z");
const wire = geminiWire({ now: () => NOW });

const call: UpstreamCall = {
  upstreamModel: "gemini-2.5-flash",
  defaultMaxTokens: 4096,
  request: {
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello." },
      { role: "system", content: "Use English." },
      { role: "user", content: "One" },
      { role: "user", content: "Two" },
    ],
    params: { maxTokens: 64, temperature: 0.1, topP: 0.95, stop: ["END"] },
  },
};

const UNARY = `{
  "candidates": [
    {
      "content": {
        "parts": [
          { "text": "**Greeting** The user says hi.", "thought": true },
          { "text": "Hello" },
          { "text": " there" }
        ],
        "role": "model"
      },
      "finishReason": "STOP",
      "index": 0
    }
  ],
  "usageMetadata": {
    "promptTokenCount": 1200,
    "candidatesTokenCount": 30,
    "totalTokenCount": 1330,
    "cachedContentTokenCount": 1000,
    "promptTokensDetails": [{ "modality": "TEXT", "tokenCount": 1200 }],
    "cacheTokensDetails": [{ "modality": "TEXT", "tokenCount": 1000 }],
    "thoughtsTokenCount": 100
  },
  "modelVersion": "gemini-2.5-flash",
  "responseId": "pzNWaNGlC4WnmtkPn8OZ6Q4"
}`;

const chunk = (body: string): string => `data: ${body}\r\n\r\n`;
const STREAM =
  chunk('{"candidates": [{"content": {"parts": [{"text": "Hello"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 8,"totalTokenCount": 8,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 8}]},"modelVersion": "gemini-2.5-flash","responseId": "abc"}') +
  chunk('{"candidates": [{"content": {"parts": [{"text": " wörld"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 8,"candidatesTokenCount": 2,"totalTokenCount": 60,"thoughtsTokenCount": 50},"modelVersion": "gemini-2.5-flash","responseId": "abc"}') +
  chunk('{"candidates": [{"content": {"parts": [{"text": "!"}],"role": "model"},"finishReason": "MAX_TOKENS","index": 0}],"usageMetadata": {"promptTokenCount": 8,"candidatesTokenCount": 3,"totalTokenCount": 61,"thoughtsTokenCount": 50},"modelVersion": "gemini-2.5-flash","responseId": "abc"}');

describe("geminiWire.buildRequest", () => {
  it("maps roles, merges same-role turns, puts system text in systemInstruction and params in generationConfig", () => {
    const spec = wire.buildRequest(call, "AIza-test", false);
    expect(spec.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(spec.headers).toEqual({ "content-type": "application/json", "x-goog-api-key": "AIza-test" });
    expect(JSON.parse(spec.body)).toEqual({
      contents: [
        { role: "user", parts: [{ text: "Hi" }] },
        { role: "model", parts: [{ text: "Hello." }] },
        { role: "user", parts: [{ text: "One" }, { text: "Two" }] },
      ],
      systemInstruction: { parts: [{ text: "Be brief.\n\nUse English." }] },
      generationConfig: { maxOutputTokens: 64, temperature: 0.1, topP: 0.95, stopSequences: ["END"] },
    });
  });

  it("streams over alt=sse, accepts a models/ prefix, and leaves absent params out", () => {
    const bare: UpstreamCall = { ...call, upstreamModel: "models/gemini-2.5-pro", request: { messages: [{ role: "user", content: "Hi" }], params: {} } };
    const spec = wire.buildRequest(bare, undefined, true);
    expect(spec.path).toBe("/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse");
    expect(spec.headers).toEqual({ "content-type": "application/json", accept: "text/event-stream" });
    expect(JSON.parse(spec.body)).toEqual({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] });
  });
});

describe("geminiWire.parseResponse", () => {
  it("joins answer parts without thoughts (kept as a reasoning block) and bills thoughts as output", () => {
    expect(wire.parseResponse(UNARY)).toEqual({
      text: "Hello there",
      finishReason: "stop",
      reasoning: [{ format: "gemini", text: "**Greeting** The user says hi." }],
      responseModel: "gemini-2.5-flash",
      usage: { inputTokens: 1200, cachedInputTokens: 1000, outputTokens: 130, reasoningTokens: 100 },
    });
  });

  it.each([
    ["STOP", "stop"],
    ["MAX_TOKENS", "length"],
    ["SAFETY", "content_filter"],
    ["RECITATION", "content_filter"],
    ["BLOCKLIST", "content_filter"],
    ["PROHIBITED_CONTENT", "content_filter"],
    ["SPII", "content_filter"],
    ["MALFORMED_FUNCTION_CALL", "other"],
    ["OTHER", "other"],
    [undefined, "unspecified"],
  ] as const)("maps finishReason %s to %s", (reason, finish) => {
    const body = JSON.parse(UNARY) as { candidates: Array<Record<string, unknown>> };
    const candidate = { ...body.candidates[0], finishReason: reason };
    expect(wire.parseResponse(JSON.stringify({ ...body, candidates: [candidate] })).finishReason).toBe(finish);
  });

  it("keeps unreported counts unknown: no candidates count and no thoughts means output unknown", () => {
    const body = JSON.parse(UNARY) as Record<string, unknown>;
    const withUsage = (usageMetadata: unknown): unknown => wire.parseResponse(JSON.stringify({ ...body, usageMetadata })).usage;
    expect(withUsage(undefined)).toEqual({});
    expect(withUsage({ promptTokenCount: 5, totalTokenCount: 5 })).toEqual({ inputTokens: 5 });
    expect(withUsage({ promptTokenCount: 5, candidatesTokenCount: 4 })).toEqual({ inputTokens: 5, outputTokens: 4 });
    expect(withUsage({ promptTokenCount: 5, thoughtsTokenCount: 9 })).toEqual({ inputTokens: 5, outputTokens: 9, reasoningTokens: 9 });
  });

  it("reads a candidate cut by safety as empty text with content_filter", () => {
    const r = wire.parseResponse('{"candidates":[{"finishReason":"SAFETY","index":0,"safetyRatings":[{"category":"HARM_CATEGORY_HARASSMENT","probability":"HIGH","blocked":true}]}],"usageMetadata":{"promptTokenCount":4,"totalTokenCount":4}}');
    expect(r).toMatchObject({ text: "", finishReason: "content_filter", usage: { inputTokens: 4 } });
  });

  it("throws content_filtered, with usage, for a prompt blocked without candidates", () => {
    const blocked = '{"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"},"usageMetadata": {"promptTokenCount": 9,"totalTokenCount": 9},"modelVersion": "gemini-2.5-flash"}';
    expect(() => wire.parseResponse(blocked)).toThrow(
      expect.objectContaining({ kind: "content_filtered", providerType: "PROHIBITED_CONTENT", usage: { inputTokens: 9 } }),
    );
  });

  it("throws the classified error of an error body in a 200, and invalid_response for garbage", () => {
    expect(() => wire.parseResponse('{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}')).toThrow(
      expect.objectContaining({ kind: "overloaded" }),
    );
    for (const bad of ["", "nope", "{}", '{"choices":[]}', "[]"]) {
      expect(() => wire.parseResponse(bad), bad).toThrow(expect.objectContaining({ kind: "invalid_response" }));
    }
  });
});

describe("geminiWire stream", () => {
  const expected: StreamEvent[] = [
    { type: "delta", text: "Hello" },
    { type: "usage", usage: { inputTokens: 8 } },
    { type: "delta", text: " wörld" },
    { type: "usage", usage: { inputTokens: 8, outputTokens: 52, reasoningTokens: 50 } },
    { type: "delta", text: "!" },
    { type: "usage", usage: { inputTokens: 8, outputTokens: 53, reasoningTokens: 50 } },
    { type: "finish", reason: "length", responseModel: "gemini-2.5-flash" },
  ];

  it("decodes whole-response chunks with cumulative usage the same at every byte boundary", () => {
    expect(decode(wire, STREAM)).toEqual({ events: expected });
    const n = new TextEncoder().encode(STREAM).length;
    for (let i = 1; i < n; i++) expect(decode(wire, STREAM, [i]), `split at ${i}`).toEqual({ events: expected });
  });

  it("decodes LF-only framing fed one byte at a time", () => {
    const lf = STREAM.replaceAll("\r\n", "\n");
    const n = new TextEncoder().encode(lf).length;
    expect(decode(wire, lf, Array.from({ length: n - 1 }, (_, k) => k + 1))).toEqual({ events: expected });
  });

  it("reports a stream without finishReason as cut, carrying the last cumulative usage", () => {
    const twoChunks = STREAM.slice(0, STREAM.lastIndexOf("data: "));
    const r = decode(wire, twoChunks);
    expect(text(r.events)).toBe("Hello wörld");
    expect(r.error).toMatchObject({
      kind: "network",
      message: "stream ended without finishReason",
      usage: { inputTokens: 8, outputTokens: 52, reasoningTokens: 50 },
    });
    const midLast = decode(wire, STREAM.slice(0, STREAM.length - 40));
    expect(midLast.error).toMatchObject({ kind: "network", usage: { inputTokens: 8, outputTokens: 52 } });
    expect(decode(wire, "")).toMatchObject({ events: [], error: { kind: "network", usage: {} } });
  });

  it("throws an error object sent as a stream event, with the usage so far", () => {
    const s = STREAM.slice(0, STREAM.lastIndexOf("data: ")) + chunk('{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}');
    const r = decode(wire, s);
    expect(r.error).toMatchObject({ kind: "overloaded", providerType: "UNAVAILABLE", usage: { inputTokens: 8, outputTokens: 52 } });
    expect(r.error?.message).toBe("stream error UNAVAILABLE");
  });

  it("throws content_filtered for a blocked prompt in a stream", () => {
    const r = decode(wire, chunk('{"promptFeedback": {"blockReason": "SAFETY"},"usageMetadata": {"promptTokenCount": 3,"totalTokenCount": 3}}'));
    expect(r.error).toMatchObject({ kind: "content_filtered", usage: { inputTokens: 3 } });
  });

  it("accepts a last chunk that carries only finishReason and usage", () => {
    const s = chunk('{"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"},"index":0}]}') +
      chunk('{"candidates":[{"content":{"parts":[{"text":""}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":2,"candidatesTokenCount":1,"totalTokenCount":3}}');
    expect(decode(wire, s)).toEqual({
      events: [
        { type: "delta", text: "Hi" },
        { type: "usage", usage: { inputTokens: 2, outputTokens: 1 } },
        { type: "finish", reason: "stop" },
      ],
    });
  });
});

describe("geminiWire.classifyError", () => {
  const err = (code: number, status: string, message = "detail AIza-secret", details?: unknown[]): string =>
    JSON.stringify({ error: { code, message, status, ...(details ? { details } : {}) } });
  const quota = (quotaId: string, retryDelay?: string): unknown[] => [
    {
      "@type": "type.googleapis.com/google.rpc.QuotaFailure",
      violations: [{ quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests", quotaId, quotaValue: "10" }],
    },
    ...(retryDelay ? [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay }] : []),
  ];

  it.each([
    [429, err(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota", quota("GenerateRequestsPerMinutePerProjectPerModel-FreeTier")), "rate_limited"],
    [429, err(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota", quota("GenerateRequestsPerDayPerProjectPerModel-FreeTier")), "quota_exhausted"],
    [503, err(503, "UNAVAILABLE", "The model is overloaded. Please try again later."), "overloaded"],
    [400, err(400, "INVALID_ARGUMENT", "Request contains an invalid argument."), "invalid_request"],
    [400, err(400, "INVALID_ARGUMENT", "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)."), "context_too_long"],
    [400, err(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com" }]), "auth"],
    [400, err(400, "FAILED_PRECONDITION", "User location is not supported for the API use."), "model_unavailable"],
    [403, err(403, "PERMISSION_DENIED"), "auth"],
    [401, err(401, "UNAUTHENTICATED"), "auth"],
    [404, err(404, "NOT_FOUND", "models/gemini-9 is not found for API version v1beta"), "model_unavailable"],
    [500, err(500, "INTERNAL", "An internal error has occurred."), "server_error"],
    [504, err(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete."), "timeout"],
    [503, `[${err(503, "UNAVAILABLE")}]`, "overloaded"],
    [429, "", "rate_limited"],
    [502, "<html>", "server_error"],
    [413, "", "context_too_long"],
    [409, "{}", "invalid_request"],
  ] as const)("%i %s -> %s", (status, body, kind) => {
    const e = wire.classifyError(status, {}, body);
    expect(e.kind).toBe(kind);
    expect(e.status).toBe(status);
    expect(e.message).not.toContain("secret");
  });

  it("takes the wait from retry-after, else from RetryInfo, and keeps the message only as cause", () => {
    const body = err(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota", quota("GenerateRequestsPerMinutePerProjectPerModel", "39s"));
    const fromBody = wire.classifyError(429, {}, body);
    expect(fromBody).toMatchObject({ kind: "rate_limited", retryAfterMs: 39_000, providerType: "RESOURCE_EXHAUSTED" });
    expect(fromBody.message).toBe("429 RESOURCE_EXHAUSTED (retry after 39000 ms)");
    expect(fromBody.cause).toBe("You exceeded your current quota");
    expect(wire.classifyError(429, { "retry-after": "3" }, body).retryAfterMs).toBe(3000);
    expect(wire.classifyError(429, { "retry-after": "Sun, 01 Jun 2025 12:00:05 GMT" }, body).retryAfterMs).toBe(5000);
    expect(wire.classifyError(503, {}, err(503, "UNAVAILABLE")).message).toBe("503 UNAVAILABLE");
  });
});

describe("geminiWire.rateLimitHint", () => {
  it("is undefined: Gemini sends no rate-limit headers", () => {
    expect(wire.rateLimitHint({ "retry-after": "3", "x-ratelimit-remaining-requests": "5" })).toBeUndefined();
  });
});

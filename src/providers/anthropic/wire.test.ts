import { describe, expect, it } from "vitest";
import type { StreamEvent, UpstreamCall } from "../types.js";
import { anthropicWire } from "./wire.js";
import { decode, text } from "../../../test/helpers/sse-decode.js";

const NOW = Date.parse("2025-06-01T12:00:00Z");
const wire = anthropicWire({ now: () => NOW });

const call: UpstreamCall = {
  upstreamModel: "claude-sonnet-4-5",
  defaultMaxTokens: 4096,
  request: {
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
      { role: "system", content: "Answer in English." },
      { role: "assistant", content: "Hello." },
      { role: "user", content: "One" },
      { role: "user", content: "Two" },
    ],
    params: { temperature: 0.5, topP: 0.8, stop: ["END"] },
  },
};

const UNARY = `{
  "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
  "type": "message",
  "role": "assistant",
  "model": "claude-sonnet-4-5-20250929",
  "content": [
    { "type": "thinking", "thinking": "The user greets me.", "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3h" },
    { "type": "text", "text": "Hello" },
    { "type": "text", "text": ", world" }
  ],
  "stop_reason": "end_turn",
  "stop_sequence": null,
  "usage": {
    "input_tokens": 12,
    "cache_creation_input_tokens": 100,
    "cache_read_input_tokens": 2000,
    "cache_creation": { "ephemeral_5m_input_tokens": 100, "ephemeral_1h_input_tokens": 0 },
    "output_tokens": 6,
    "service_tier": "standard"
  }
}`;

const ev = (name: string, data: string): string => `event: ${name}\ndata: ${data}\n\n`;
const START = ev(
  "message_start",
  '{"type":"message_start","message":{"id":"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":10,"cache_read_input_tokens":300,"output_tokens":1}}}',
);
const BODY =
  ev("content_block_start", '{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}') +
  ev("content_block_delta", '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Greet back."}}') +
  ev("content_block_delta", '{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM"}}') +
  ev("content_block_stop", '{"type":"content_block_stop","index":0}') +
  ev("content_block_start", '{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}') +
  ev("ping", '{"type": "ping"}') +
  ev("content_block_delta", '{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hello"}}') +
  ev("content_block_delta", '{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":" wörld!"}}') +
  ev("content_block_stop", '{"type":"content_block_stop","index":1}');
const END =
  ev("message_delta", '{"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"output_tokens":15}}') +
  ev("message_stop", '{"type":"message_stop"}');
const STREAM = START + BODY + END;

const startUsage = { inputTokens: 335, cachedInputTokens: 300, cacheWriteTokens: 10 };

describe("anthropicWire.buildRequest", () => {
  it("hoists system turns, merges same-role turns and always sends max_tokens", () => {
    const spec = wire.buildRequest(call, "sk-ant-test", false);
    expect(spec.path).toBe("/v1/messages");
    expect(spec.headers).toEqual({
      "content-type": "application/json",
      "anthropic-version": "2023-06-01",
      "x-api-key": "sk-ant-test",
    });
    expect(JSON.parse(spec.body)).toEqual({
      model: "claude-sonnet-4-5",
      max_tokens: 4096,
      system: "Be brief.\n\nAnswer in English.",
      messages: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello." },
        { role: "user", content: [{ type: "text", text: "One" }, { type: "text", text: "Two" }] },
      ],
      temperature: 0.5,
      top_p: 0.8,
      stop_sequences: ["END"],
    });
  });

  it("streams with the client's max_tokens and no key header without a key", () => {
    const bare: UpstreamCall = { ...call, request: { messages: [{ role: "user", content: "Hi" }], params: { maxTokens: 7 } } };
    const spec = wire.buildRequest(bare, undefined, true);
    expect(spec.headers).toEqual({
      "content-type": "application/json",
      "anthropic-version": "2023-06-01",
      accept: "text/event-stream",
    });
    expect(JSON.parse(spec.body)).toEqual({
      model: "claude-sonnet-4-5",
      max_tokens: 7,
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
    });
  });
});

describe("anthropicWire.parseResponse", () => {
  it("joins text blocks, keeps thinking as a reasoning block, and counts cache reads and writes into input", () => {
    expect(wire.parseResponse(UNARY)).toEqual({
      text: "Hello, world",
      finishReason: "stop",
      responseModel: "claude-sonnet-4-5-20250929",
      usage: { inputTokens: 2112, cachedInputTokens: 2000, cacheWriteTokens: 100, outputTokens: 6 },
      reasoning: [{ format: "anthropic", text: "The user greets me.", signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3h" }],
    });
  });

  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["refusal", "content_filter"],
    ["tool_use", "tool_calls"],
    ["pause_turn", "other"],
    [null, "unspecified"],
  ] as const)("maps stop_reason %s to %s", (reason, finish) => {
    const body = { ...(JSON.parse(UNARY) as Record<string, unknown>), stop_reason: reason };
    expect(wire.parseResponse(JSON.stringify(body)).finishReason).toBe(finish);
  });

  it("keeps unreported counts unknown, never zero", () => {
    const body = JSON.parse(UNARY) as Record<string, unknown>;
    const withUsage = (usage: unknown): unknown => wire.parseResponse(JSON.stringify({ ...body, usage })).usage;
    expect(withUsage(undefined)).toEqual({});
    expect(withUsage({ output_tokens: 3 })).toEqual({ outputTokens: 3 });
    expect(withUsage({ input_tokens: 9, output_tokens: 3 })).toEqual({ inputTokens: 9, outputTokens: 3 });
    expect(withUsage({ cache_read_input_tokens: 50 })).toEqual({ cachedInputTokens: 50 });
  });

  it("throws the classified error of an error body in a 200, and invalid_response for garbage", () => {
    expect(() => wire.parseResponse('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}')).toThrow(
      expect.objectContaining({ kind: "overloaded" }),
    );
    for (const bad of ["", "not json", "{}", '{"type":"message"}', '{"choices":[]}']) {
      expect(() => wire.parseResponse(bad), bad).toThrow(expect.objectContaining({ kind: "invalid_response" }));
    }
  });
});

describe("anthropicWire stream", () => {
  const expected: StreamEvent[] = [
    { type: "usage", usage: startUsage },
    { type: "reasoning", text: "Greet back." },
    { type: "reasoning_block", block: { format: "anthropic", text: "Greet back.", signature: "EqQBCgIYAhIM" } },
    { type: "delta", text: "Hello" },
    { type: "delta", text: " wörld!" },
    { type: "usage", usage: { ...startUsage, outputTokens: 15 } },
    { type: "finish", reason: "length", responseModel: "claude-sonnet-4-5-20250929" },
  ];

  it("decodes the documented event sequence the same at every byte boundary", () => {
    expect(decode(wire, STREAM)).toEqual({ events: expected });
    const n = new TextEncoder().encode(STREAM).length;
    for (let i = 1; i < n; i++) expect(decode(wire, STREAM, [i]), `split at ${i}`).toEqual({ events: expected });
  });

  it("decodes the stream fed one byte at a time with CRLF line ends", () => {
    const crlf = STREAM.replaceAll("\n", "\r\n");
    const n = new TextEncoder().encode(crlf).length;
    expect(decode(wire, crlf, Array.from({ length: n - 1 }, (_, k) => k + 1))).toEqual({ events: expected });
  });

  it("takes cumulative input and cache counts from message_delta when it reports them", () => {
    const delta = ev(
      "message_delta",
      '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":30,"cache_creation_input_tokens":10,"cache_read_input_tokens":300,"output_tokens":20}}',
    );
    const r = decode(wire, START + BODY + delta + ev("message_stop", '{"type":"message_stop"}'));
    expect(r.events.filter((e) => e.type === "usage").at(-1)).toEqual({
      type: "usage",
      usage: { inputTokens: 340, cachedInputTokens: 300, cacheWriteTokens: 10, outputTokens: 20 },
    });
    expect(r.events.at(-1)).toEqual({ type: "finish", reason: "stop", responseModel: "claude-sonnet-4-5-20250929" });
  });

  it("throws an in-stream error event classified by its type, with the usage seen so far", () => {
    const r = decode(wire, START + BODY + ev("error", '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'));
    expect(text(r.events)).toBe("Hello wörld!");
    expect(r.error).toMatchObject({ kind: "overloaded", providerType: "overloaded_error", usage: startUsage });
    expect(r.error?.message).toBe("stream error overloaded_error");
    expect(r.error?.usage?.outputTokens).toBeUndefined();
  });

  it("reports a cut stream as a network error carrying partial usage", () => {
    const afterDelta = decode(wire, START + BODY + END.slice(0, END.indexOf("event: message_stop")));
    expect(afterDelta.error).toMatchObject({
      kind: "network",
      message: "stream ended without message_stop",
      usage: { ...startUsage, outputTokens: 15 },
    });
    const midBody = decode(wire, START + BODY.slice(0, BODY.indexOf(" wörld")));
    expect(midBody.error).toMatchObject({ kind: "network", usage: startUsage });
    expect(text(midBody.events)).toBe("Hello");
    const nothing = decode(wire, START.slice(0, 40));
    expect(nothing).toMatchObject({ events: [], error: { kind: "network", usage: {} } });
  });

  it("ignores event types it does not know and rejects a non-JSON event", () => {
    const extra = ev("content_block_delta", '{"type":"content_block_delta","index":1,"delta":{"type":"citations_delta","citation":{}}}') +
      ev("future_event", '{"type":"future_event","x":1}');
    expect(decode(wire, START + BODY + extra + END)).toEqual({ events: expected });
    const bad = decode(wire, START + "event: content_block_delta\ndata: {oops\n\n");
    expect(bad.error).toMatchObject({ kind: "invalid_response", usage: startUsage });
  });
});

describe("anthropicWire.classifyError", () => {
  const body = (type: string, message = "detail with sk-ant-secret"): string =>
    JSON.stringify({ type: "error", error: { type, message } });

  it.each([
    [400, body("invalid_request_error"), "invalid_request"],
    [400, body("invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"), "context_too_long"],
    [400, body("invalid_request_error", "input length and `max_tokens` exceed context limit: 188240 + 21333 > 200000"), "context_too_long"],
    [400, body("invalid_request_error", "Your credit balance is too low to access the Anthropic API."), "quota_exhausted"],
    [400, body("invalid_request_error", "Output blocked by content filtering policy"), "content_filtered"],
    [401, body("authentication_error"), "auth"],
    [403, body("permission_error"), "auth"],
    [404, body("not_found_error"), "model_unavailable"],
    [413, body("request_too_large"), "context_too_long"],
    [429, body("rate_limit_error"), "rate_limited"],
    [500, body("api_error"), "server_error"],
    [529, body("overloaded_error"), "overloaded"],
    [529, "", "overloaded"],
    [503, "upstream connect error", "overloaded"],
    [502, "<html>", "server_error"],
    [401, "{}", "auth"],
    [422, "{}", "invalid_request"],
  ] as const)("%i %s -> %s", (status, text, kind) => {
    const err = wire.classifyError(status, {}, text);
    expect(err.kind).toBe(kind);
    expect(err.status).toBe(status);
    expect(err.message).not.toContain("secret");
  });

  it("gives a short reason, the type, retry-after, and the raw message only as cause", () => {
    const overloaded = wire.classifyError(529, {}, body("overloaded_error", "Overloaded"));
    expect(overloaded.message).toBe("529 overloaded_error");
    expect(overloaded.providerType).toBe("overloaded_error");
    expect(overloaded.cause).toBe("Overloaded");
    const limited = wire.classifyError(429, { "retry-after": "7" }, body("rate_limit_error"));
    expect(limited).toMatchObject({ kind: "rate_limited", retryAfterMs: 7000 });
    expect(limited.message).toBe("429 rate_limit_error (retry after 7000 ms)");
  });
});

describe("anthropicWire.rateLimitHint", () => {
  it("reads remaining counts and turns RFC 3339 resets into ms from now, the later one", () => {
    expect(
      wire.rateLimitHint({
        "anthropic-ratelimit-requests-limit": "50",
        "anthropic-ratelimit-requests-remaining": "49",
        "anthropic-ratelimit-requests-reset": "2025-06-01T12:00:01Z",
        "anthropic-ratelimit-tokens-remaining": "39000",
        "anthropic-ratelimit-tokens-reset": "2025-06-01T12:00:30.500Z",
      }),
    ).toEqual({ remainingRequests: 49, remainingTokens: 39000, resetMs: 30_500 });
  });

  it("ignores unparsable values and is undefined without rate-limit headers", () => {
    expect(wire.rateLimitHint({ "anthropic-ratelimit-requests-remaining": "many", "anthropic-ratelimit-tokens-reset": "soon" })).toBeUndefined();
    expect(wire.rateLimitHint({ "anthropic-ratelimit-tokens-reset": "2025-06-01T11:59:00Z" })).toEqual({ resetMs: 0 });
    expect(wire.rateLimitHint({})).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import type { StreamEvent, UpstreamCall } from "../types.js";
import { openAiWire, readUsage } from "./wire.js";
import { decode, text } from "../../../test/helpers/sse-decode.js";

const wire = openAiWire({ now: () => 0 });

const call: UpstreamCall = {
  upstreamModel: "gpt-4.1",
  defaultMaxTokens: 1024,
  request: {
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
    ],
    params: { maxTokens: 50, temperature: 0.2, topP: 0.9, stop: ["\n\n"] },
  },
};

const UNARY = `{
  "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
  "object": "chat.completion",
  "created": 1741570283,
  "model": "gpt-4.1-2025-04-14",
  "choices": [
    {
      "index": 0,
      "message": { "role": "assistant", "content": "Hello there.", "refusal": null, "annotations": [] },
      "logprobs": null,
      "finish_reason": "length"
    }
  ],
  "usage": {
    "prompt_tokens": 1117,
    "completion_tokens": 46,
    "total_tokens": 1163,
    "prompt_tokens_details": { "cached_tokens": 1024, "audio_tokens": 0 },
    "completion_tokens_details": { "reasoning_tokens": 10, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0 }
  },
  "service_tier": "default",
  "system_fingerprint": "fp_fc9f1d7035"
}`;

const head = '"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4.1-2025-04-14","system_fingerprint":"fp_44709d6fcb"';
const STREAM =
  `data: {${head},"choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}\n\n` +
  `data: {${head},"choices":[{"index":0,"delta":{"content":"Hel"},"logprobs":null,"finish_reason":null}],"usage":null}\n\n` +
  `data: {${head},"choices":[{"index":0,"delta":{"content":"lo ✓"},"logprobs":null,"finish_reason":null}],"usage":null}\n\n` +
  `data: {${head},"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}\n\n` +
  `data: {${head},"choices":[],"usage":{"prompt_tokens":19,"completion_tokens":3,"total_tokens":22,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}\n\n` +
  "data: [DONE]\n\n";

describe("openAiWire.buildRequest", () => {
  it("sends the chat completion body with every given parameter", () => {
    const spec = wire.buildRequest(call, "sk-test", false);
    expect(spec.path).toBe("/chat/completions");
    expect(spec.headers).toEqual({ "content-type": "application/json", authorization: "Bearer sk-test" });
    expect(JSON.parse(spec.body)).toEqual({
      model: "gpt-4.1",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
      ],
      max_tokens: 50,
      temperature: 0.2,
      top_p: 0.9,
      stop: ["\n\n"],
    });
  });

  it("asks for usage in streams, uses max_completion_tokens when told, and leaves absent params out", () => {
    const w = openAiWire({ maxTokensField: "max_completion_tokens", now: () => 0 });
    const bare: UpstreamCall = { ...call, request: { messages: call.request.messages, params: { maxTokens: 5 } } };
    const spec = w.buildRequest(bare, undefined, true);
    expect(spec.headers).toEqual({ "content-type": "application/json", accept: "text/event-stream" });
    expect(JSON.parse(spec.body)).toEqual({
      model: "gpt-4.1",
      messages: call.request.messages,
      max_completion_tokens: 5,
      stream: true,
      stream_options: { include_usage: true },
    });
  });
});

describe("openAiWire.parseResponse", () => {
  it("reads text, finish, model and usage with cached and reasoning tokens", () => {
    expect(wire.parseResponse(UNARY)).toEqual({
      text: "Hello there.",
      finishReason: "length",
      responseModel: "gpt-4.1-2025-04-14",
      usage: { inputTokens: 1117, outputTokens: 46, cachedInputTokens: 1024, reasoningTokens: 10 },
    });
  });

  it("keeps usage it was not given unknown, not zero", () => {
    const body = JSON.parse(UNARY) as Record<string, unknown>;
    delete body["usage"];
    expect(wire.parseResponse(JSON.stringify(body)).usage).toEqual({});
    body["usage"] = { prompt_tokens: 7 };
    expect(wire.parseResponse(JSON.stringify(body)).usage).toEqual({ inputTokens: 7 });
  });

  it("reads a null content (refusal, tool call) as empty text and a null finish as unspecified", () => {
    const r = wire.parseResponse(
      '{"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"No."},"finish_reason":null}]}',
    );
    expect(r.text).toBe("");
    expect(r.finishReason).toBe("unspecified");
  });

  it("throws the classified error for an error body in a 200 and invalid_response for garbage", () => {
    expect(() => wire.parseResponse('{"error":{"message":"m","type":"server_error","param":null,"code":null}}')).toThrow(
      expect.objectContaining({ kind: "server_error" }),
    );
    for (const bad of ["not json", "{}", '{"choices":[]}', '{"choices":[{"message":{"content":42}}]}']) {
      expect(() => wire.parseResponse(bad), bad).toThrow(expect.objectContaining({ kind: "invalid_response" }));
    }
  });
});

/** DeepSeek's answer: cache hits in `prompt_cache_hit_tokens`, no `prompt_tokens_details`. */
const DEEPSEEK = `{
  "id": "930c60df-bf64-41c9-a88e-3ec75f81e00e",
  "object": "chat.completion",
  "created": 1705651092,
  "model": "deepseek-chat",
  "choices": [
    { "index": 0, "message": { "role": "assistant", "content": "Hello! How can I help you today?" }, "logprobs": null, "finish_reason": "stop" }
  ],
  "usage": {
    "prompt_tokens": 1216,
    "completion_tokens": 9,
    "total_tokens": 1225,
    "prompt_cache_hit_tokens": 1152,
    "prompt_cache_miss_tokens": 64
  },
  "system_fingerprint": "fp_3a5770e1b4_prod0225"
}`;

describe("openAiWire DeepSeek usage", () => {
  it("reads prompt_cache_hit_tokens as cached input, keeping prompt_tokens (which includes them) as input", () => {
    expect(wire.parseResponse(DEEPSEEK).usage).toEqual({ inputTokens: 1216, outputTokens: 9, cachedInputTokens: 1152 });
  });

  it("reads a known zero of cache hits as zero, and prefers prompt_tokens_details when both are sent", () => {
    expect(readUsage({ prompt_tokens: 64, completion_tokens: 1, prompt_cache_hit_tokens: 0, prompt_cache_miss_tokens: 64 })).toEqual({
      inputTokens: 64,
      outputTokens: 1,
      cachedInputTokens: 0,
    });
    const both = { prompt_tokens: 100, prompt_tokens_details: { cached_tokens: 40 }, prompt_cache_hit_tokens: 30 };
    expect(readUsage(both).cachedInputTokens).toBe(40);
    expect(readUsage({ prompt_tokens: 100, prompt_cache_miss_tokens: 100 })).toEqual({ inputTokens: 100 });
  });

  it("reads the cache hits of a DeepSeek stream's usage chunk", () => {
    const s =
      'data: {"id":"d","object":"chat.completion.chunk","created":1,"model":"deepseek-chat","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}],"usage":null}\n\n' +
      'data: {"id":"d","object":"chat.completion.chunk","created":1,"model":"deepseek-chat","choices":[],"usage":{"prompt_tokens":20,"completion_tokens":1,"total_tokens":21,"prompt_cache_hit_tokens":16,"prompt_cache_miss_tokens":4}}\n\n' +
      "data: [DONE]\n\n";
    expect(decode(wire, s).events).toContainEqual({ type: "usage", usage: { inputTokens: 20, outputTokens: 1, cachedInputTokens: 16 } });
  });
});

describe("openAiWire stream", () => {
  const expected: StreamEvent[] = [
    { type: "delta", text: "Hel" },
    { type: "delta", text: "lo ✓" },
    { type: "usage", usage: { inputTokens: 19, outputTokens: 3, cachedInputTokens: 0, reasoningTokens: 0 } },
    { type: "finish", reason: "stop", responseModel: "gpt-4.1-2025-04-14" },
  ];

  it("decodes the documented chunk sequence the same at every byte boundary", () => {
    expect(decode(wire, STREAM)).toEqual({ events: expected });
    const n = new TextEncoder().encode(STREAM).length;
    for (let i = 1; i < n; i++) expect(decode(wire, STREAM, [i]), `split at ${i}`).toEqual({ events: expected });
  });

  it("accepts CRLF line ends", () => {
    expect(decode(wire, STREAM.replaceAll("\n", "\r\n"))).toEqual({ events: expected });
  });

  it("reports a stream cut before [DONE] as a network error carrying the usage seen", () => {
    const cut = decode(wire, STREAM.slice(0, STREAM.indexOf("data: [DONE]")));
    expect(cut.error).toMatchObject({ kind: "network", message: "stream ended without [DONE]", usage: { inputTokens: 19, outputTokens: 3 } });
    expect(text(cut.events)).toBe("Hello ✓");
    const early = decode(wire, STREAM.slice(0, STREAM.indexOf('"lo ✓"') + 3));
    expect(early.error).toMatchObject({ kind: "network", usage: {} });
    expect(text(early.events)).toBe("Hel");
  });

  it("throws the classified error of an error chunk", () => {
    const s = `data: {${head},"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}\n\n` +
      'data: {"error":{"message":"overloaded","type":"server_error","param":null,"code":null}}\n\n';
    const r = decode(wire, s);
    expect(r.events).toEqual([{ type: "delta", text: "a" }]);
    expect(r.error).toMatchObject({ kind: "server_error" });
  });
});

describe("openAiWire.classifyError", () => {
  const body = (type: string, code: string | null, message = "secret detail sk-abc"): string =>
    JSON.stringify({ error: { message, type, param: null, code } });

  it.each([
    [429, body("requests", "rate_limit_exceeded"), "rate_limited"],
    [429, body("insufficient_quota", "insufficient_quota"), "quota_exhausted"],
    [401, body("invalid_request_error", "invalid_api_key"), "auth"],
    [403, body("invalid_request_error", null), "auth"],
    [400, body("invalid_request_error", "context_length_exceeded"), "context_too_long"],
    [400, body("invalid_request_error", "content_policy_violation"), "content_filtered"],
    [400, body("invalid_request_error", null), "invalid_request"],
    [404, body("invalid_request_error", "model_not_found"), "model_unavailable"],
    [404, '{"object":"error","message":"The model `gpt-9` does not exist.","type":"NotFoundError","param":null,"code":404}', "model_unavailable"],
    [504, "", "timeout"],
    [409, "{}", "server_error"],
    [402, "{}", "quota_exhausted"],
    [500, body("server_error", null), "server_error"],
    [503, body("server_error", null), "overloaded"],
    [502, "<html>Bad gateway</html>", "server_error"],
    [418, "", "invalid_request"],
  ] as const)("%i %s -> %s", (status, text, kind) => {
    const err = wire.classifyError(status, {}, text);
    expect(err.kind).toBe(kind);
    expect(err.status).toBe(status);
    expect(err.message).not.toContain("sk-abc");
  });

  it("reads retry-after, names the code in a short reason and keeps the message only as cause", () => {
    const err = wire.classifyError(429, { "retry-after": "2" }, body("requests", "rate_limit_exceeded"));
    expect(err).toMatchObject({ kind: "rate_limited", retryAfterMs: 2000, providerType: "rate_limit_exceeded" });
    expect(err.message).toBe("429 rate_limit_exceeded (retry after 2000 ms)");
    expect(err.cause).toBe("secret detail sk-abc");
  });
});

describe("openAiWire.rateLimitHint", () => {
  it("reads remaining counts and the later of the two resets", () => {
    expect(
      wire.rateLimitHint({
        "x-ratelimit-remaining-requests": "59",
        "x-ratelimit-remaining-tokens": "149984",
        "x-ratelimit-reset-requests": "1s",
        "x-ratelimit-reset-tokens": "6m0s",
      }),
    ).toEqual({ remainingRequests: 59, remainingTokens: 149984, resetMs: 360_000 });
  });

  it("is undefined without rate-limit headers", () => {
    expect(wire.rateLimitHint({ "content-type": "application/json" })).toBeUndefined();
  });
});

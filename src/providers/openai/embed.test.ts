/** The OpenAI embeddings wire format on literal JSON: the body, vectors in index order, usage, malformed answers, errors. */
import { describe, expect, it } from "vitest";
import { ProviderError } from "../errors.js";
import { openAiEmbedBody, openAiEmbedWire, parseOpenAiEmbeddings } from "./embed.js";

const call = { inputs: ["alpha", "beta"], upstreamModel: "text-embedding-3-small" };
const wire = openAiEmbedWire(() => Date.UTC(2026, 0, 1));

function error(fn: () => unknown): ProviderError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProviderError) return err;
    throw err;
  }
  throw new Error("did not throw");
}

describe("OpenAI embeddings", () => {
  it("asks for floats, the whole batch, and dimensions only when given; the key goes in a header", () => {
    expect(openAiEmbedBody(call)).toEqual({ model: "text-embedding-3-small", input: ["alpha", "beta"], encoding_format: "float" });
    expect(openAiEmbedBody({ ...call, dimensions: 256 })).toEqual({ model: "text-embedding-3-small", input: ["alpha", "beta"], encoding_format: "float", dimensions: 256 });
    const spec = wire.buildRequest(call, "sk-secret");
    expect(spec.path).toBe("/embeddings");
    expect(spec.headers["authorization"]).toBe("Bearer sk-secret");
    expect(spec.body).not.toContain("sk-secret");
  });

  it("puts vectors in input order by their index and reads prompt_tokens as input, output a known 0", () => {
    const body = `{"object":"list","data":[{"object":"embedding","index":1,"embedding":[0.5,-0.5]},{"object":"embedding","index":0,"embedding":[0.25,0.75]}],
      "model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}`;
    expect(parseOpenAiEmbeddings(body, call)).toEqual({
      vectors: [
        [0.25, 0.75],
        [0.5, -0.5],
      ],
      usage: { inputTokens: 8, outputTokens: 0 },
      responseModel: "text-embedding-3-small",
    });
  });

  it("leaves usage unknown when the endpoint reports none (never a made-up 0)", () => {
    const body = `{"data":[{"index":0,"embedding":[1]},{"index":1,"embedding":[2]}]}`;
    expect(parseOpenAiEmbeddings(body, call).usage).toEqual({});
  });

  it("fails as an invalid response on a wrong count, a repeated index, a non-number, or the wrong size", () => {
    const bad = [
      `{"data":[{"index":0,"embedding":[1]}]}`,
      `{"data":[{"index":0,"embedding":[1]},{"index":0,"embedding":[2]}]}`,
      `{"data":[{"index":0,"embedding":[1]},{"index":1,"embedding":["x"]}]}`,
      `{"data":[{"index":0,"embedding":[]},{"index":1,"embedding":[1]}]}`,
      `not json`,
    ];
    for (const body of bad) expect(error(() => parseOpenAiEmbeddings(body, call)).kind).toBe("invalid_response");
    const sized = `{"data":[{"index":0,"embedding":[1,2]},{"index":1,"embedding":[1,2]}]}`;
    expect(error(() => parseOpenAiEmbeddings(sized, { ...call, dimensions: 3 })).message).toContain("not the 3 asked for");
  });

  it("classifies errors with the OpenAI table", () => {
    const quota = wire.classifyError(429, {}, `{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}`);
    expect(quota.kind).toBe("quota_exhausted");
    const limited = wire.classifyError(429, { "retry-after": "2" }, `{"error":{"message":"Rate limit","type":"requests","code":"rate_limit_exceeded"}}`);
    expect([limited.kind, limited.retryAfterMs]).toEqual(["rate_limited", 2000]);
    expect(wire.classifyError(400, {}, `{"error":{"message":"'$.input' is invalid","type":"invalid_request_error","param":null,"code":null}}`).kind).toBe("invalid_request");
  });
});

/** The Gemini batchEmbedContents wire format on literal JSON: the body, vectors in order, no usage, errors. */
import { describe, expect, it } from "vitest";
import { ProviderError } from "../errors.js";
import { geminiEmbedBody, geminiEmbedWire, parseGeminiEmbeddings } from "./embed.js";

const call = { inputs: ["alpha", "beta"], upstreamModel: "models/gemini-embedding-001" };
const wire = geminiEmbedWire(() => Date.UTC(2026, 0, 1));

describe("Gemini embeddings", () => {
  it("sends one request per input naming the model, with outputDimensionality only when given", () => {
    expect(geminiEmbedBody({ ...call, dimensions: 768 })).toEqual({
      requests: [
        { model: "models/gemini-embedding-001", content: { parts: [{ text: "alpha" }] }, outputDimensionality: 768 },
        { model: "models/gemini-embedding-001", content: { parts: [{ text: "beta" }] }, outputDimensionality: 768 },
      ],
    });
    expect(JSON.stringify(geminiEmbedBody(call))).not.toContain("outputDimensionality");
    const spec = wire.buildRequest(call, "g-secret");
    expect(spec.path).toBe("/v1beta/models/gemini-embedding-001:batchEmbedContents");
    expect(spec.headers["x-goog-api-key"]).toBe("g-secret");
  });

  it("reads the vectors in request order and reports no usage: unknown, for the core to estimate", () => {
    const body = `{"embeddings":[{"values":[0.1,0.2]},{"values":[0.3,0.4]}]}`;
    expect(parseGeminiEmbeddings(body, call)).toEqual({
      vectors: [
        [0.1, 0.2],
        [0.3, 0.4],
      ],
      usage: {},
    });
  });

  it("fails as an invalid response on a wrong count or a malformed vector; an error body in a 200 is classified", () => {
    const kind = (body: string): string => {
      try {
        parseGeminiEmbeddings(body, call);
      } catch (err) {
        if (err instanceof ProviderError) return err.kind;
      }
      return "none";
    };
    expect(kind(`{"embeddings":[{"values":[0.1]}]}`)).toBe("invalid_response");
    expect(kind(`{"embeddings":[{"values":[0.1]},{"nope":1}]}`)).toBe("invalid_response");
    expect(kind(`{"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED"}}`)).toBe("rate_limited");
  });

  it("classifies errors with the Gemini table", () => {
    expect(wire.classifyError(503, {}, `{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}`).kind).toBe("overloaded");
    expect(wire.classifyError(400, {}, `{"error":{"code":400,"message":"API key not valid.","status":"INVALID_ARGUMENT"}}`).kind).toBe("auth");
  });
});

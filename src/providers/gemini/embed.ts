/** Gemini `:batchEmbedContents` (Developer API) as a pure embeddings wire format. It reports no token usage. */
import { badEmbedding, checkVector } from "../embed-types.js";
import type { EmbedCall, EmbedResult, EmbedWire } from "../embed-types.js";
import { isObject, tryJson } from "../headers.js";
import type { HeaderMap } from "../wire.js";
import { classifyGeminiError, readGeminiError } from "./errors.js";

/** The model name without a "models/" prefix. */
function bare(model: string): string {
  return model.replace(/^models\//, "");
}

/** The request body: one EmbedContentRequest per input, each naming the model, with `outputDimensionality` when asked. */
export function geminiEmbedBody(call: EmbedCall): Record<string, unknown> {
  const model = `models/${bare(call.upstreamModel)}`;
  return {
    requests: call.inputs.map((text) => ({
      model,
      content: { parts: [{ text }] },
      ...(call.dimensions !== undefined ? { outputDimensionality: call.dimensions } : {}),
    })),
  };
}

/** Parses `{"embeddings":[{"values":[...]}]}` (in request order); no usage: unknown, left for the core to estimate. */
export function parseGeminiEmbeddings(text: string, call: EmbedCall, now: () => number = Date.now): EmbedResult {
  const body = tryJson(text);
  if (readGeminiError(body) !== undefined) throw classifyGeminiError(200, {}, text, now());
  if (!isObject(body) || !Array.isArray(body["embeddings"])) throw badEmbedding("no embeddings list");
  const n = call.inputs.length;
  if (body["embeddings"].length !== n) throw badEmbedding(`${body["embeddings"].length} vectors for ${n} inputs`);
  const vectors = body["embeddings"].map((e: unknown, i: number) => checkVector(isObject(e) ? e["values"] : undefined, i, call.dimensions));
  return { vectors, usage: {} };
}

/** Creates the Gemini embeddings wire format; `now` (epoch ms) reads HTTP-date retry-after headers. */
export function geminiEmbedWire(now: () => number): EmbedWire {
  return {
    // "BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch".
    maxBatch: 100,
    buildRequest(call, apiKey) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (apiKey !== undefined) headers["x-goog-api-key"] = apiKey;
      return { path: `/v1beta/models/${encodeURIComponent(bare(call.upstreamModel))}:batchEmbedContents`, headers, body: JSON.stringify(geminiEmbedBody(call)) };
    },
    parseResponse: (body, call) => parseGeminiEmbeddings(body, call, now),
    classifyError: (status: number, headers: HeaderMap, body: string) => classifyGeminiError(status, headers, body, now()),
  };
}

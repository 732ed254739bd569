/** OpenAI `POST /embeddings` (and compatible endpoints) as a pure embeddings wire format. */
import { badEmbedding, checkVector } from "../embed-types.js";
import type { EmbedCall, EmbedResult, EmbedWire } from "../embed-types.js";
import { count, isObject, str, tryJson } from "../headers.js";
import type { HeaderMap } from "../wire.js";
import { classifyOpenAiError } from "./errors.js";

/** The request body: the batch as `input`, floats (not base64), and `dimensions` when asked. */
export function openAiEmbedBody(call: EmbedCall): Record<string, unknown> {
  return {
    model: call.upstreamModel,
    input: call.inputs,
    encoding_format: "float",
    ...(call.dimensions !== undefined ? { dimensions: call.dimensions } : {}),
  };
}

/**
 * Parses `{"data":[{"index","embedding":[...]}],"model","usage":{"prompt_tokens"}}`: vectors put in input order by
 * their index (each index once, all present); usage is `prompt_tokens` as input and a known 0 as output, or empty.
 */
export function parseOpenAiEmbeddings(text: string, call: EmbedCall): EmbedResult {
  const body = tryJson(text);
  if (!isObject(body) || !Array.isArray(body["data"])) throw badEmbedding("no data list");
  const n = call.inputs.length;
  if (body["data"].length !== n) throw badEmbedding(`${body["data"].length} vectors for ${n} inputs`);
  const vectors: number[][] = new Array<number[]>(n);
  body["data"].forEach((item: unknown, i: number) => {
    const index = isObject(item) ? count(item["index"]) : undefined;
    if (!isObject(item) || index === undefined || index >= n || vectors[index] !== undefined) throw badEmbedding(`item ${i} has a missing, repeated or out-of-range index`);
    vectors[index] = checkVector(item["embedding"], index, call.dimensions);
  });
  const usage = isObject(body["usage"]) ? count(body["usage"]["prompt_tokens"]) : undefined;
  const model = str(body["model"]);
  return { vectors, usage: usage === undefined ? {} : { inputTokens: usage, outputTokens: 0 }, ...(model !== undefined ? { responseModel: model } : {}) };
}

/** Creates the OpenAI embeddings wire format; `now` (epoch ms) reads HTTP-date retry-after headers. */
export function openAiEmbedWire(now: () => number): EmbedWire {
  return {
    // OpenAI's limit of inputs per request.
    maxBatch: 2048,
    buildRequest(call, apiKey) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (apiKey !== undefined) headers["authorization"] = `Bearer ${apiKey}`;
      return { path: "/embeddings", headers, body: JSON.stringify(openAiEmbedBody(call)) };
    },
    parseResponse: parseOpenAiEmbeddings,
    classifyError: (status: number, headers: HeaderMap, body: string) => classifyOpenAiError(status, headers, body, now()),
  };
}

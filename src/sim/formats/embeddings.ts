/**
 * The embeddings APIs as the simulator speaks them: OpenAI `POST /v1/embeddings` (float or base64 vectors,
 * `dimensions`, usage) and Gemini `:batchEmbedContents` (`outputDimensionality`, no usage).
 */
import { countInputTokens } from "../answer.js";
import { base64Vector, simVector } from "../embed-vectors.js";
import type { SimRefusal } from "./format.js";

/** One embeddings request, parsed. */
export interface SimEmbedRequest {
  readonly model: string;
  readonly inputs: readonly string[];
  readonly dimensions: number | undefined;
  /** OpenAI's encoding_format. */
  readonly base64: boolean;
}

/** The embeddings part of a simulated format. */
export interface SimEmbedFormat {
  /** Parses an embeddings request for `path`; undefined when the path is not the embeddings one, a refusal (400) when the real API would refuse it. */
  parse(path: string, body: unknown): SimEmbedRequest | SimRefusal | undefined;
  /** The answer body, and the input tokens the provider reports (undefined: it reports none). */
  answer(req: SimEmbedRequest): { readonly body: string; readonly reportedTokens: number | undefined };
}

/** Input tokens of a batch as the simulator bills them: each text counted as a prompt. */
export function simEmbedTokens(inputs: readonly string[]): number {
  return inputs.reduce((sum, text) => sum + countInputTokens(text), 0);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function dimensionsOf(v: unknown, field: string): number | undefined | SimRefusal {
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 8192) return { refused: `Invalid '${field}': must be an integer from 1 to 8192` };
  return v;
}

/** OpenAI's embeddings endpoint (text-embedding-3 models: 1536 dimensions unless asked). */
export const openAiEmbedSim: SimEmbedFormat = {
  parse(path, raw) {
    if (path !== "/v1/embeddings") return undefined;
    if (!isRecord(raw) || typeof raw["model"] !== "string") return { refused: "you must provide a model parameter" };
    const input = raw["input"];
    const inputs = typeof input === "string" ? [input] : input;
    if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((t) => typeof t === "string")) return { refused: "'$.input' is invalid. Please check the API reference" };
    if (inputs.some((t) => t === "")) return { refused: "'$.input' is invalid: an input is empty" };
    const format = raw["encoding_format"] ?? "float";
    if (format !== "float" && format !== "base64") return { refused: "Invalid 'encoding_format': must be float or base64" };
    const dimensions = dimensionsOf(raw["dimensions"], "dimensions");
    if (typeof dimensions === "object") return dimensions;
    return { model: raw["model"], inputs: inputs as string[], dimensions, base64: format === "base64" };
  },
  answer(req) {
    const tokens = simEmbedTokens(req.inputs);
    const data = req.inputs.map((text, index) => {
      const v = simVector(text, req.dimensions ?? 1536);
      return { object: "embedding", index, embedding: req.base64 ? base64Vector(v) : v };
    });
    return { body: JSON.stringify({ object: "list", data, model: req.model, usage: { prompt_tokens: tokens, total_tokens: tokens } }), reportedTokens: tokens };
  },
};

const GEMINI_PATH = /^\/v1beta\/models\/([^/:]+):batchEmbedContents$/;

/** Gemini's batch embeddings endpoint (gemini-embedding-001: 3072 dimensions unless asked); it reports no usage. */
export const geminiEmbedSim: SimEmbedFormat = {
  parse(path, raw) {
    const m = GEMINI_PATH.exec(path);
    if (!m) return undefined;
    const requests = isRecord(raw) ? raw["requests"] : undefined;
    if (!Array.isArray(requests) || requests.length === 0) return { refused: "* BatchEmbedContentsRequest.requests: must not be empty" };
    if (requests.length > 100) return { refused: "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch" };
    const inputs: string[] = [];
    let dimensions: number | undefined;
    for (const [i, r] of requests.entries()) {
      const parts = isRecord(r) && isRecord(r["content"]) ? r["content"]["parts"] : undefined;
      const text = Array.isArray(parts) && isRecord(parts[0]) ? parts[0]["text"] : undefined;
      if (typeof text !== "string" || text === "") return { refused: `* BatchEmbedContentsRequest.requests[${i}].content: contains an empty Part` };
      if (isRecord(r) && r["model"] !== `models/${m[1]}`) return { refused: `* BatchEmbedContentsRequest.requests[${i}].model: must be the model of the batch` };
      const d = dimensionsOf(isRecord(r) ? r["outputDimensionality"] : undefined, "outputDimensionality");
      if (typeof d === "object") return d;
      dimensions = d;
      inputs.push(text);
    }
    return { model: m[1] ?? "", inputs, dimensions, base64: false };
  },
  answer(req) {
    const embeddings = req.inputs.map((text) => ({ values: simVector(text, req.dimensions ?? 3072) }));
    return { body: JSON.stringify({ embeddings }), reportedTokens: undefined };
  },
};

/** The embeddings operation of a wire format: a batch of texts in, one vector per text out, as pure translations. */
import { ProviderError } from "./errors.js";
import type { Usage } from "./types.js";
import type { HeaderMap, HttpRequestSpec } from "./wire.js";

/** What an adapter needs to embed one batch on one model. */
export interface EmbedCall {
  /** The texts, in order; one vector each. */
  readonly inputs: readonly string[];
  /** The model name sent to the provider. */
  readonly upstreamModel: string;
  /** The vector size asked for; the provider's default when absent. */
  readonly dimensions?: number;
}

/** The answer of one embeddings call. */
export interface EmbedResult {
  /** One vector per input, in input order. */
  readonly vectors: readonly (readonly number[])[];
  /** Input tokens (output is a known 0) when the provider reported them; empty when it did not (Gemini). */
  readonly usage: Usage;
  /** The model name the provider reported, when it did. */
  readonly responseModel?: string;
}

/** One provider's embeddings API as pure functions, tested on literal JSON. */
export interface EmbedWire {
  /** The most inputs one HTTP call may carry (Gemini takes 100); a larger batch is sent in parts, in order. */
  readonly maxBatch: number;
  /** Builds the HTTP request; `apiKey` goes only into headers. */
  buildRequest(call: EmbedCall, apiKey: string | undefined): HttpRequestSpec;
  /** Parses a 2xx body for a call of `call.inputs.length` texts; throws ProviderError when it is malformed. */
  parseResponse(body: string, call: EmbedCall): EmbedResult;
  /** Classifies a non-2xx response into one error kind (the wire format's own table). */
  classifyError(status: number, headers: HeaderMap, body: string): ProviderError;
}

/** The batch in parts of at most `max` inputs, in order. */
export function splitBatch(call: EmbedCall, max: number): EmbedCall[] {
  const parts: EmbedCall[] = [];
  for (let i = 0; i < call.inputs.length; i += max) parts.push({ ...call, inputs: call.inputs.slice(i, i + max) });
  return parts;
}

/** The answers of a batch's parts as one: vectors in order; input tokens summed when every part reported them, else unknown. */
export function mergeParts(parts: readonly EmbedResult[]): EmbedResult {
  const [first] = parts;
  if (parts.length === 1 && first) return first;
  const reported = parts.every((p) => p.usage.inputTokens !== undefined);
  const inputTokens = parts.reduce((sum, p) => sum + (p.usage.inputTokens ?? 0), 0);
  return {
    vectors: parts.flatMap((p) => p.vectors),
    usage: reported ? { inputTokens, outputTokens: 0 } : {},
    ...(first?.responseModel !== undefined ? { responseModel: first.responseModel } : {}),
  };
}

/**
 * What parts answered before a later part failed may have been billed: their reported tokens when they all reported
 * some; else an output of 0 with the input unknown, which the core estimates (from the whole batch: an upper bound).
 */
export function billedParts(parts: readonly EmbedResult[]): Usage {
  const merged = mergeParts(parts);
  return merged.usage.inputTokens !== undefined ? merged.usage : { outputTokens: 0 };
}

/** An invalid-response error for a malformed embeddings answer. */
export function badEmbedding(reason: string): ProviderError {
  return new ProviderError({ kind: "invalid_response", reason: `malformed embeddings response: ${reason}` });
}

/**
 * Checks one vector: a non-empty list of finite numbers, of the asked size when one was asked; returns it.
 * A vector of another size than asked is the provider's fault (another deployment may honour it).
 */
export function checkVector(value: unknown, i: number, dimensions: number | undefined): number[] {
  if (!Array.isArray(value) || value.length === 0) throw badEmbedding(`vector ${i} is not a non-empty list`);
  for (const v of value) if (typeof v !== "number" || !Number.isFinite(v)) throw badEmbedding(`vector ${i} holds a non-number`);
  if (dimensions !== undefined && value.length !== dimensions) throw badEmbedding(`vector ${i} has ${value.length} dimensions, not the ${dimensions} asked for`);
  return value as number[];
}

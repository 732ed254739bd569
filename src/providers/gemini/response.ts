/** Reading a GenerateContentResponse (a whole unary body or one stream chunk): parts, finish, usage. */
import { ProviderError } from "../errors.js";
import { count, isObject, own, safeLabel, str } from "../headers.js";
import type { FinishReason, Usage } from "../types.js";

const FINISH: Record<string, FinishReason> = {
  STOP: "stop",
  MAX_TOKENS: "length",
  SAFETY: "content_filter",
  RECITATION: "content_filter",
  BLOCKLIST: "content_filter",
  PROHIBITED_CONTENT: "content_filter",
  SPII: "content_filter",
  IMAGE_SAFETY: "content_filter",
  FINISH_REASON_UNSPECIFIED: "unspecified",
};

/** Maps a Gemini finishReason to ours (STOP with function calls is turned into tool_calls by the callers). */
export function mapFinishReason(reason: unknown): FinishReason {
  return typeof reason === "string" ? (own(FINISH, reason) ?? "other") : "unspecified";
}

/** The IMAGE tokens of a `promptTokensDetails` list, when it names any. */
function imageTokens(details: unknown): number | undefined {
  if (!Array.isArray(details)) return undefined;
  let total: number | undefined;
  for (const d of details) {
    const n = isObject(d) && d["modality"] === "IMAGE" ? count(d["tokenCount"]) : undefined;
    if (n !== undefined) total = (total ?? 0) + n;
  }
  return total;
}

/**
 * Reads `usageMetadata`. `promptTokenCount` already includes cached tokens; output is
 * `candidatesTokenCount + thoughtsTokenCount` (thoughts are billed as output), unknown when both are absent.
 */
export function readGeminiUsage(meta: unknown): Usage {
  if (!isObject(meta)) return {};
  const out: Usage = {};
  const prompt = count(meta["promptTokenCount"]);
  const cached = count(meta["cachedContentTokenCount"]);
  const candidates = count(meta["candidatesTokenCount"]);
  const thoughts = count(meta["thoughtsTokenCount"]);
  const images = imageTokens(meta["promptTokensDetails"]);
  if (prompt !== undefined) out.inputTokens = prompt;
  if (cached !== undefined) out.cachedInputTokens = cached;
  if (candidates !== undefined || thoughts !== undefined) out.outputTokens = (candidates ?? 0) + (thoughts ?? 0);
  if (thoughts !== undefined) out.reasoningTokens = thoughts;
  if (images !== undefined) out.imageInputTokens = images;
  return out;
}

/** What one part of a candidate says: answer text, thought text, a signature of a text part, or a whole call. */
export type GeminiPart =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "thought"; readonly text: string }
  | { readonly kind: "signature"; readonly signature: string }
  | { readonly kind: "call"; readonly id: string | undefined; readonly name: string; readonly arguments: string; readonly signature: string | undefined };

/** The parts of a candidate in order; a signature on a text part follows that part's text. Other parts are skipped. */
function readParts(candidate: Record<string, unknown>): GeminiPart[] {
  const content = candidate["content"];
  const parts = isObject(content) && Array.isArray(content["parts"]) ? (content["parts"] as unknown[]) : [];
  const out: GeminiPart[] = [];
  for (const part of parts) {
    if (!isObject(part)) continue;
    const signature = str(part["thoughtSignature"]);
    const call = part["functionCall"];
    if (isObject(call)) {
      const name = str(call["name"]);
      if (name === undefined) throw new ProviderError({ kind: "invalid_response", reason: "functionCall without a name" });
      const id = str(call["id"]);
      out.push({ kind: "call", id: id === "" ? undefined : id, name, arguments: JSON.stringify(call["args"] ?? {}), signature });
      continue;
    }
    const text = str(part["text"]);
    if (text !== undefined && text !== "") out.push({ kind: part["thought"] === true ? "thought" : "text", text });
    if (signature !== undefined) out.push({ kind: "signature", signature });
  }
  return out;
}

/** What one GenerateContentResponse says, after the error and blocked-prompt checks. */
export interface Piece {
  readonly parts: readonly GeminiPart[];
  readonly finish: unknown;
  readonly usage: Usage | undefined;
  readonly model: string | undefined;
  readonly responseId: string | undefined;
}

/** Reads one GenerateContentResponse; throws content_filtered for a prompt blocked without candidates. */
export function readPiece(body: Record<string, unknown>, usageSoFar: Usage | undefined): Piece {
  const usage = isObject(body["usageMetadata"]) ? readGeminiUsage(body["usageMetadata"]) : undefined;
  const candidates = Array.isArray(body["candidates"]) ? (body["candidates"] as unknown[]) : [];
  const candidate = candidates[0];
  const feedback = body["promptFeedback"];
  const blockReason = safeLabel(isObject(feedback) ? str(feedback["blockReason"]) : undefined);
  if (!isObject(candidate) && blockReason !== undefined) {
    throw new ProviderError({
      kind: "content_filtered",
      reason: `prompt blocked ${blockReason}`,
      providerType: blockReason,
      usage: usage ?? usageSoFar ?? {},
      cause: `promptFeedback.blockReason ${blockReason}`,
    });
  }
  return {
    parts: isObject(candidate) ? readParts(candidate) : [],
    finish: isObject(candidate) ? candidate["finishReason"] : undefined,
    usage,
    model: str(body["modelVersion"]),
    responseId: str(body["responseId"]),
  };
}

/**
 * Names the calls of one response. Gemini's Developer API may give no call ids: the call then gets
 * `call_<responseId>_<n>` (n counts the response's calls), or `call_<fresh id>` without a responseId, so ids never
 * repeat across the turns of a conversation.
 */
export class CallIds {
  readonly #fresh: () => string;
  #prefix: string | undefined;

  constructor(fresh: () => string) {
    this.#fresh = fresh;
  }

  /** The id of the `n`th call of the response whose responseId is `responseId`. */
  id(given: string | undefined, responseId: string | undefined, n: number): string {
    if (given !== undefined) return given;
    this.#prefix ??= responseId !== undefined && responseId !== "" ? responseId.replace(/[^A-Za-z0-9_-]/g, "_") : this.#fresh();
    return `call_${this.#prefix}_${n}`;
  }
}

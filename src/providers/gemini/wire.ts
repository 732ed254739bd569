/** Google Gemini `generateContent` / `streamGenerateContent` as a pure wire format. */
import { ProviderError } from "../errors.js";
import { count, isObject, own, safeLabel, str, tryJson } from "../headers.js";
import type { ChatMessage, ChatResult, FinishReason, StreamEvent, UpstreamCall, Usage } from "../types.js";
import type { HeaderMap, RateLimitHint, SseEvent, StreamDecoder, WireFormat } from "../wire.js";
import { classifyGeminiError, geminiStreamError, readGeminiError } from "./errors.js";

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

/** Maps a Gemini finishReason to ours. */
export function mapFinishReason(reason: unknown): FinishReason {
  return typeof reason === "string" ? (own(FINISH, reason) ?? "other") : "unspecified";
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
  if (prompt !== undefined) out.inputTokens = prompt;
  if (cached !== undefined) out.cachedInputTokens = cached;
  if (candidates !== undefined || thoughts !== undefined) out.outputTokens = (candidates ?? 0) + (thoughts ?? 0);
  if (thoughts !== undefined) out.reasoningTokens = thoughts;
  return out;
}

/** The answer text of the first candidate, leaving out thought summaries. */
function candidateText(candidate: Record<string, unknown>): string {
  const content = candidate["content"];
  const parts = isObject(content) && Array.isArray(content["parts"]) ? (content["parts"] as unknown[]) : [];
  let text = "";
  for (const part of parts) {
    if (isObject(part) && part["thought"] !== true && typeof part["text"] === "string") text += part["text"];
  }
  return text;
}

/** Turns; consecutive turns of one role become one content of several parts. */
function toContents(messages: readonly ChatMessage[]): Array<{ role: string; parts: Array<{ text: string }> }> {
  const out: Array<{ role: string; parts: Array<{ text: string }> }> = [];
  for (const m of messages) {
    if (m.role === "system") continue;
    const role = m.role === "assistant" ? "model" : "user";
    const last = out[out.length - 1];
    if (last && last.role === role) last.parts.push({ text: m.content });
    else out.push({ role, parts: [{ text: m.content }] });
  }
  return out;
}

/** The URL path segment of a model name, accepting both "gemini-x" and "models/gemini-x". */
function modelPath(model: string): string {
  return encodeURIComponent(model.replace(/^models\//, ""));
}

/** What one GenerateContentResponse says, after the error and blocked-prompt checks. */
interface Piece {
  readonly text: string;
  readonly finish: unknown;
  readonly usage: Usage | undefined;
  readonly model: string | undefined;
}

/** Reads one GenerateContentResponse; throws content_filtered for a prompt blocked without candidates. */
function readPiece(body: Record<string, unknown>, usageSoFar: Usage | undefined): Piece {
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
    text: isObject(candidate) ? candidateText(candidate) : "",
    finish: isObject(candidate) ? candidate["finishReason"] : undefined,
    usage,
    model: str(body["modelVersion"]),
  };
}

/** Options of the Gemini wire format. */
export interface GeminiWireOptions {
  /** Wall clock, epoch ms, for turning an HTTP-date retry-after into a duration (tests pass a fixed one). */
  readonly now: () => number;
}

/** Creates the Gemini wire format. */
export function geminiWire(options: GeminiWireOptions): WireFormat {
  const now = options.now;
  return {
    check: () => undefined,

    buildRequest(call: UpstreamCall, apiKey: string | undefined, stream: boolean) {
      const { params, messages } = call.request;
      const system = messages.filter((m) => m.role === "system").map((m) => m.content);
      const body: Record<string, unknown> = { contents: toContents(messages) };
      if (system.length > 0) body["systemInstruction"] = { parts: [{ text: system.join("\n\n") }] };
      const config: Record<string, unknown> = {};
      if (params.maxTokens !== undefined) config["maxOutputTokens"] = params.maxTokens;
      if (params.temperature !== undefined) config["temperature"] = params.temperature;
      if (params.topP !== undefined) config["topP"] = params.topP;
      if (params.stop !== undefined && params.stop.length > 0) config["stopSequences"] = params.stop;
      if (Object.keys(config).length > 0) body["generationConfig"] = config;
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (stream) headers["accept"] = "text/event-stream";
      if (apiKey !== undefined) headers["x-goog-api-key"] = apiKey;
      const method = stream ? "streamGenerateContent?alt=sse" : "generateContent";
      return { path: `/v1beta/models/${modelPath(call.upstreamModel)}:${method}`, headers, body: JSON.stringify(body) };
    },

    parseResponse(text: string): ChatResult {
      const body = tryJson(text);
      if (readGeminiError(body) !== undefined) throw classifyGeminiError(200, {}, text, now());
      if (!isObject(body) || (!Array.isArray(body["candidates"]) && !isObject(body["promptFeedback"]))) {
        throw new ProviderError({ kind: "invalid_response", reason: "malformed generateContent response" });
      }
      const piece = readPiece(body, undefined);
      return {
        text: piece.text,
        finishReason: mapFinishReason(piece.finish),
        usage: piece.usage ?? {},
        ...(piece.model !== undefined ? { responseModel: piece.model } : {}),
      };
    },

    streamDecoder(): StreamDecoder {
      return new GeminiStreamDecoder();
    },

    classifyError(status: number, headers: HeaderMap, body: string) {
      return classifyGeminiError(status, headers, body, now());
    },

    rateLimitHint(): RateLimitHint | undefined {
      // Gemini sends no rate-limit headers; a retry-after, when present, is read by classifyError.
      return undefined;
    },
  };
}

/** Decodes SSE events that are each a whole GenerateContentResponse; a finishReason marks the end. */
class GeminiStreamDecoder implements StreamDecoder {
  #usage: Usage = {};
  #finish: FinishReason | undefined;
  #model: string | undefined;

  push(event: SseEvent): StreamEvent[] {
    const chunk = tryJson(event.data);
    if (readGeminiError(chunk) !== undefined) throw geminiStreamError(chunk, this.#usage);
    if (!isObject(chunk)) {
      throw new ProviderError({ kind: "invalid_response", reason: "malformed stream chunk", usage: this.#usage });
    }
    const piece = readPiece(chunk, this.#usage);
    this.#model ??= piece.model;
    const out: StreamEvent[] = [];
    if (piece.text.length > 0) out.push({ type: "delta", text: piece.text });
    if (piece.finish !== undefined && piece.finish !== null) this.#finish = mapFinishReason(piece.finish);
    if (piece.usage !== undefined) {
      // Cumulative: each report replaces the last.
      this.#usage = piece.usage;
      out.push({ type: "usage", usage: piece.usage });
    }
    return out;
  }

  end(): StreamEvent[] {
    if (this.#finish === undefined) {
      throw new ProviderError({ kind: "network", reason: "stream ended without finishReason", usage: this.#usage });
    }
    return [{ type: "finish", reason: this.#finish, ...(this.#model ? { responseModel: this.#model } : {}) }];
  }
}


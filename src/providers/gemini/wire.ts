/** Google Gemini `generateContent` / `streamGenerateContent` (Developer API) as a pure wire format. */
import { randomUUID } from "node:crypto";
import { ProviderError } from "../errors.js";
import { isObject, tryJson } from "../headers.js";
import type { ChatResult, ReasoningBlock, ToolCall, UpstreamCall } from "../types.js";
import type { HeaderMap, RateLimitHint, StreamDecoder, WireFormat } from "../wire.js";
import { checkGemini } from "./check.js";
import { geminiEmbedWire } from "./embed.js";
import { classifyGeminiError, readGeminiError } from "./errors.js";
import { geminiBody } from "./request.js";
import { CallIds, mapFinishReason, readPiece } from "./response.js";
import type { Piece } from "./response.js";
import { GeminiStreamDecoder } from "./stream.js";

export { mapFinishReason, readGeminiUsage } from "./response.js";

/** Options of the Gemini wire format. */
export interface GeminiWireOptions {
  /** Wall clock, epoch ms, for turning an HTTP-date retry-after into a duration (tests pass a fixed one). */
  readonly now: () => number;
  /** A fresh unique token for call ids when a response has neither call ids nor a responseId (default: a UUID). */
  readonly freshId?: () => string;
}

/** The URL path segment of a model name, accepting both "gemini-x" and "models/gemini-x". */
function modelPath(model: string): string {
  return encodeURIComponent(model.replace(/^models\//, ""));
}

/**
 * The answer of one response: text, tool calls, and reasoning as blocks of format "gemini": the thought text
 * joined in one block (shown, not sent back), then one block per signature that came on a text part.
 */
function result(piece: Piece, fresh: () => string): Omit<ChatResult, "usage" | "finishReason"> {
  const ids = new CallIds(fresh);
  let text = "";
  let thoughts = "";
  const calls: ToolCall[] = [];
  const signatures: ReasoningBlock[] = [];
  for (const p of piece.parts) {
    if (p.kind === "text") text += p.text;
    else if (p.kind === "thought") thoughts += p.text;
    else if (p.kind === "signature") signatures.push({ format: "gemini", signature: p.signature });
    else {
      const id = ids.id(p.id, piece.responseId, calls.length);
      calls.push({ id, name: p.name, arguments: p.arguments, ...(p.signature !== undefined ? { signature: p.signature } : {}) });
    }
  }
  const reasoning: ReasoningBlock[] = [...(thoughts !== "" ? [{ format: "gemini" as const, text: thoughts }] : []), ...signatures];
  return {
    text,
    ...(calls.length > 0 ? { toolCalls: calls } : {}),
    ...(reasoning.length > 0 ? { reasoning } : {}),
    ...(piece.model !== undefined ? { responseModel: piece.model } : {}),
  };
}

/** Creates the Gemini wire format. */
export function geminiWire(options: GeminiWireOptions): WireFormat {
  const now = options.now;
  const fresh = options.freshId ?? randomUUID;
  return {
    embeddings: geminiEmbedWire(now),
    check: (call) => checkGemini(call.request),

    buildRequest(call: UpstreamCall, apiKey: string | undefined, stream: boolean) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (stream) headers["accept"] = "text/event-stream";
      if (apiKey !== undefined) headers["x-goog-api-key"] = apiKey;
      const method = stream ? "streamGenerateContent?alt=sse" : "generateContent";
      return { path: `/v1beta/models/${modelPath(call.upstreamModel)}:${method}`, headers, body: JSON.stringify(geminiBody(call.request)) };
    },

    parseResponse(text: string): ChatResult {
      const body = tryJson(text);
      if (readGeminiError(body) !== undefined) throw classifyGeminiError(200, {}, text, now());
      if (!isObject(body) || (!Array.isArray(body["candidates"]) && !isObject(body["promptFeedback"]))) {
        throw new ProviderError({ kind: "invalid_response", reason: "malformed generateContent response" });
      }
      const piece = readPiece(body, undefined);
      const answer = result(piece, fresh);
      // Gemini says STOP for calls too: a call makes the finish tool_calls.
      const finishReason = answer.toolCalls !== undefined ? "tool_calls" : mapFinishReason(piece.finish);
      const { responseModel, ...rest } = answer;
      return { ...rest, finishReason, usage: piece.usage ?? {}, ...(responseModel !== undefined ? { responseModel } : {}) };
    },

    streamDecoder(): StreamDecoder {
      return new GeminiStreamDecoder(fresh);
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

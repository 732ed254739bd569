/** Gemini generateContent / streamGenerateContent as the simulator speaks it. */
import { countInputTokens } from "../answer.js";
import type { SimAnswer, SimRequest } from "../answer.js";
import type { SimError } from "../profile.js";
import { legacyStreamer, sse } from "./format.js";
import type { LegacyStream, SimFormat, SimHttpAnswer } from "./format.js";

const PATH = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

const QUOTA_MESSAGE = "You exceeded your current quota, please check your plan and billing details.";

interface GeminiErrorSpec {
  readonly status: number;
  readonly name: string;
  readonly message: string;
  readonly details?: (retryAfterS: number | undefined) => unknown[];
}

/** google.rpc details of a 429: which quota was hit, and when to retry. */
function quotaDetails(quotaId: string, retryAfterS: number | undefined): unknown[] {
  return [
    {
      "@type": "type.googleapis.com/google.rpc.QuotaFailure",
      violations: [{ quotaMetric: "generativelanguage.googleapis.com/generate_content_requests", quotaId, quotaValue: "10" }],
    },
    ...(retryAfterS !== undefined ? [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${retryAfterS}s` }] : []),
  ];
}

const ERRORS: Record<SimError, GeminiErrorSpec> = {
  rate_limited: { status: 429, name: "RESOURCE_EXHAUSTED", message: QUOTA_MESSAGE, details: (s) => quotaDetails("GenerateRequestsPerMinutePerProjectPerModel", s) },
  quota_exhausted: { status: 429, name: "RESOURCE_EXHAUSTED", message: QUOTA_MESSAGE, details: () => quotaDetails("GenerateRequestsPerDayPerProjectPerModel", undefined) },
  overloaded: { status: 503, name: "UNAVAILABLE", message: "The model is overloaded. Please try again later." },
  server_error: { status: 500, name: "INTERNAL", message: "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting" },
  // Gemini answers a bad key with 400 INVALID_ARGUMENT, told apart only by its ErrorInfo reason.
  auth: {
    status: 400,
    name: "INVALID_ARGUMENT",
    message: "API key not valid. Please pass a valid API key.",
    details: () => [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com" }],
  },
  invalid_request: { status: 400, name: "INVALID_ARGUMENT", message: "Request contains an invalid argument." },
  context_too_long: { status: 400, name: "INVALID_ARGUMENT", message: "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)." },
  // The real API blocks in a 200 (promptFeedback), which an error answer cannot express for both unary and stream.
  content_filtered: { status: 400, name: "INVALID_ARGUMENT", message: "The request was blocked by the safety filters." },
};

interface GeminiBody {
  contents?: unknown;
  systemInstruction?: { parts?: unknown };
  generationConfig?: { maxOutputTokens?: unknown };
}

/** The joined text of a `parts` array. */
function partsText(parts: unknown): string {
  if (!Array.isArray(parts)) return "";
  return parts
    .map((p: unknown) => (typeof p === "object" && p !== null && typeof (p as { text?: unknown }).text === "string" ? (p as { text: string }).text : ""))
    .join("\n");
}

/** Cumulative usage after `outputTokens` tokens; cached tokens are part of promptTokenCount. */
function usageMetadata(inputTokens: number, cachedTokens: number, outputTokens: number): Record<string, unknown> {
  return {
    promptTokenCount: inputTokens,
    candidatesTokenCount: outputTokens,
    totalTokenCount: inputTokens + outputTokens,
    ...(cachedTokens > 0 ? { cachedContentTokenCount: cachedTokens } : {}),
    promptTokensDetails: [{ modality: "TEXT", tokenCount: inputTokens }],
  };
}

/** One GenerateContentResponse. */
function response(req: SimRequest, text: string, finish: string | undefined, usage: Record<string, unknown>): Record<string, unknown> {
  return {
    candidates: [{ content: { parts: [{ text }], role: "model" }, ...(finish ? { finishReason: finish } : {}), index: 0 }],
    usageMetadata: usage,
    modelVersion: req.model,
    responseId: "sim-response",
  };
}

function finishReason(answer: SimAnswer): string {
  return answer.finish === "length" ? "MAX_TOKENS" : "STOP";
}

/** The answer of each streamed request, so every chunk can carry cumulative usage and the last its finishReason. */
const streaming = new WeakMap<SimRequest, SimAnswer>();

/** The simulated Gemini format. */
export const geminiSim: SimFormat & LegacyStream = {
  streamer(req, answer) {
    return legacyStreamer(this, req, answer);
  },

  basePath: "",

  parse(path: string, raw: unknown): SimRequest | undefined {
    const match = PATH.exec(path);
    if (!match || typeof raw !== "object" || raw === null) return undefined;
    const body = raw as GeminiBody;
    if (!Array.isArray(body.contents)) return undefined;
    const turns = (body.contents as unknown[]).map((c) => partsText(typeof c === "object" && c !== null ? (c as { parts?: unknown }).parts : undefined));
    const system = partsText(body.systemInstruction?.parts);
    const max = body.generationConfig?.maxOutputTokens;
    return {
      model: decodeURIComponent(match[1] ?? "unknown"),
      prompt: [...(system ? [system] : []), ...turns].join("\n"),
      maxTokens: typeof max === "number" ? max : undefined,
      stream: match[2] === "streamGenerateContent",
      includeUsage: false,
    };
  },

  unary(req, answer) {
    const usage = usageMetadata(answer.inputTokens, answer.cachedTokens, answer.outputTokens);
    return JSON.stringify(response(req, answer.chunks.join(""), finishReason(answer), usage));
  },

  legacyStart(req, answer) {
    streaming.set(req, answer);
    return [];
  },

  legacyChunk(req, text, index) {
    const answer = streaming.get(req);
    const input = answer?.inputTokens ?? countInputTokens(req.prompt);
    const last = answer !== undefined && index === answer.chunks.length - 1;
    const usage = usageMetadata(input, answer?.cachedTokens ?? 0, index + 1);
    return [sse(response(req, text, last ? finishReason(answer) : undefined, usage))];
  },

  legacyEnd(req, answer) {
    streaming.delete(req);
    // With no chunks at all the finishReason still needs a response to ride on.
    if (answer.chunks.length > 0) return [];
    return [sse(response(req, "", finishReason(answer), usageMetadata(answer.inputTokens, answer.cachedTokens, 0)))];
  },

  error(kind, retryAfterS): SimHttpAnswer {
    const e = ERRORS[kind];
    const details = e.details?.(retryAfterS);
    return {
      status: e.status,
      headers: { "content-type": "application/json; charset=UTF-8" },
      body: JSON.stringify({ error: { code: e.status, message: e.message, status: e.name, ...(details ? { details } : {}) } }),
    };
  },
};

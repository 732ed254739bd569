/** Gemini generateContent / streamGenerateContent as the simulator speaks it: text, thoughts, whole function calls. */
import type { SimAnswer, SimPiece, SimRequest, SimTool } from "../answer.js";
import type { SimError } from "../profile.js";
import { sse } from "./format.js";
import type { SimFormat, SimHttpAnswer, SimRefusal, SimStreamWriter } from "./format.js";
import { geminiRejection, obj, objects, thinkingOn } from "./gemini-validate.js";
import { geminiEmbedSim } from "./embeddings.js";

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

/**
 * Why the last request `parse` refused, for the 400 the server writes right after it (parse and error run in one
 * synchronous step of the server's handler, so no other request comes between); consumed by `error`.
 */

/** The text of a content's parts for counting input tokens: text, call arguments and function responses. */
function partsText(parts: unknown): string {
  return objects(parts)
    .map((p) => (typeof p["text"] === "string" ? p["text"] : p["functionCall"] !== undefined ? JSON.stringify(p["functionCall"]) : p["functionResponse"] !== undefined ? JSON.stringify(p["functionResponse"]) : ""))
    .filter((t) => t !== "")
    .join("\n");
}

/** The tool controls of a request as the simulated model needs them. */
function toolControls(body: Record<string, unknown>): Pick<SimRequest, "tools" | "toolChoice"> {
  const tools: SimTool[] = objects(body["tools"]).flatMap((t) =>
    objects(t["functionDeclarations"]).map((d) => ({ name: String(d["name"]), parameters: d["parametersJsonSchema"] ?? d["parameters"] })),
  );
  const calling = obj(obj(body["toolConfig"])?.["functionCallingConfig"]);
  const names = Array.isArray(calling?.["allowedFunctionNames"]) ? (calling["allowedFunctionNames"] as unknown[]) : [];
  const mode = calling?.["mode"];
  const toolChoice = mode === "NONE" ? "none" : mode === "ANY" ? (names.length === 1 ? { name: String(names[0]) } : "required") : mode !== undefined ? "auto" : undefined;
  return { tools, ...(toolChoice !== undefined ? { toolChoice } : {}) };
}

/** The opaque signature the simulated model puts on its parts (a real one is encrypted model state). */
function signature(req: SimRequest): string {
  return Buffer.from(`sim-thought:${req.model}:${req.prompt.length}`).toString("base64");
}

/** Cumulative usage after `output` output tokens of which `thoughts` are thoughts; cached tokens are in the prompt. */
function usageMetadata(answer: SimAnswer, output: number, thoughts: number): Record<string, unknown> {
  const input = answer.inputTokens;
  const details = [{ modality: "TEXT", tokenCount: input - answer.imageTokens }, ...(answer.imageTokens > 0 ? [{ modality: "IMAGE", tokenCount: answer.imageTokens }] : [])];
  return {
    promptTokenCount: input,
    candidatesTokenCount: Math.max(0, output - thoughts),
    totalTokenCount: input + output,
    ...(answer.cachedTokens > 0 ? { cachedContentTokenCount: answer.cachedTokens } : {}),
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
    promptTokensDetails: details,
  };
}

/** One GenerateContentResponse. */
function response(req: SimRequest, parts: unknown[], finish: string | undefined, usage: Record<string, unknown>): Record<string, unknown> {
  return {
    candidates: [{ content: { parts, role: "model" }, ...(finish ? { finishReason: finish } : {}), index: 0 }],
    usageMetadata: usage,
    modelVersion: req.model,
    responseId: `sim-${req.prompt.length}`,
  };
}

/** Gemini says STOP for function calls too. */
function finishReason(answer: SimAnswer): string {
  return answer.finish === "length" ? "MAX_TOKENS" : "STOP";
}

/** A whole functionCall part; the first call of a thinking turn carries the turn's signature. */
function callPart(req: SimRequest, answer: SimAnswer, call: number): Record<string, unknown> {
  const c = answer.toolCalls[call];
  const part: Record<string, unknown> = { functionCall: { id: c?.id, name: c?.name, args: JSON.parse(c?.arguments ?? "{}") as unknown } };
  if (req.reasoning === true && call === 0) part["thoughtSignature"] = signature(req);
  return part;
}

/** Writes one chunk per reasoning or text piece and one per call, when its last fragment is written. */
class GeminiSimStream implements SimStreamWriter {
  readonly #req: SimRequest;
  readonly #answer: SimAnswer;
  #thoughts = 0;

  constructor(req: SimRequest, answer: SimAnswer) {
    this.#req = req;
    this.#answer = answer;
  }

  start(): string[] {
    return [];
  }

  piece(p: SimPiece, index: number): string[] {
    const pieces = this.#answer.pieces;
    const last = index === pieces.length - 1;
    if (p.kind === "reasoning") this.#thoughts++;
    const next = pieces[index + 1];
    let part: Record<string, unknown> | undefined;
    if (p.kind === "reasoning") part = { text: p.text, thought: true };
    else if (p.kind === "text") part = { text: p.text, ...(last && this.#req.reasoning === true ? { thoughtSignature: signature(this.#req) } : {}) };
    else if (next?.kind !== "tool" || next.call !== p.call) part = callPart(this.#req, this.#answer, p.call);
    if (part === undefined) return [];
    const usage = usageMetadata(this.#answer, last ? this.#answer.outputTokens : index + 1, this.#thoughts);
    return [sse(response(this.#req, [part], last ? finishReason(this.#answer) : undefined, usage))];
  }

  end(): string[] {
    // With no pieces at all the finishReason still needs a response to ride on.
    if (this.#answer.pieces.length > 0) return [];
    return [sse(response(this.#req, [{ text: "" }], finishReason(this.#answer), usageMetadata(this.#answer, this.#answer.outputTokens, 0)))];
  }
}

/** The simulated Gemini format. */
export const geminiSim: SimFormat = {
  basePath: "",
  embeddings: geminiEmbedSim,

  parse(path: string, raw: unknown): SimRequest | SimRefusal | undefined {
    const match = PATH.exec(path);
    const body = obj(raw);
    if (!match || body === undefined || !Array.isArray(body["contents"])) return undefined;
    const refused = geminiRejection(body);
    if (refused !== undefined) return { refused };
    const contents = objects(body["contents"]);
    const system = partsText(obj(body["systemInstruction"])?.["parts"]);
    const config = obj(body["generationConfig"]) ?? {};
    const max = config["maxOutputTokens"];
    const lastContent = contents[contents.length - 1];
    const json = config["responseMimeType"] === "application/json" ? { schema: config["responseJsonSchema"] ?? config["responseSchema"] } : undefined;
    return {
      model: decodeURIComponent(match[1] ?? "unknown"),
      prompt: [...(system ? [system] : []), ...contents.map((c) => partsText(c["parts"]))].join("\n"),
      maxTokens: typeof max === "number" ? max : undefined,
      stream: match[2] === "streamGenerateContent",
      includeUsage: false,
      ...toolControls(body),
      afterToolResult: lastContent?.["role"] === "user" && objects(lastContent["parts"]).some((p) => p["functionResponse"] !== undefined),
      ...(json ? { json: json.schema !== undefined ? json : {} } : {}),
      images: contents.reduce((n, c) => n + objects(c["parts"]).filter((p) => p["inlineData"] !== undefined).length, 0),
      reasoning: thinkingOn(body),
    };
  },

  unary(req, answer) {
    const parts: unknown[] = [];
    if (answer.reasoning.length > 0) parts.push({ text: answer.reasoning.join(""), thought: true });
    if (answer.chunks.length > 0 || answer.toolCalls.length === 0) {
      const signed = req.reasoning === true && answer.toolCalls.length === 0;
      parts.push({ text: answer.chunks.join(""), ...(signed ? { thoughtSignature: signature(req) } : {}) });
    }
    answer.toolCalls.forEach((_, i) => parts.push(callPart(req, answer, i)));
    return JSON.stringify(response(req, parts, finishReason(answer), usageMetadata(answer, answer.outputTokens, answer.reasoningTokens)));
  },

  streamer(req, answer) {
    return new GeminiSimStream(req, answer);
  },

  error(kind, retryAfterS, override): SimHttpAnswer {
    const e = ERRORS[kind];
    const message = override ?? e.message;
    const details = e.details?.(retryAfterS);
    return {
      status: e.status,
      headers: { "content-type": "application/json; charset=UTF-8" },
      body: JSON.stringify({ error: { code: e.status, message, status: e.name, ...(details ? { details } : {}) } }),
    };
  },
};

/** OpenAI Chat Completions as the simulator speaks it. */
import type { SimAnswer, SimRequest } from "../answer.js";
import type { SimError } from "../profile.js";
import { legacyStreamer, sse } from "./format.js";
import type { LegacyStream, SimFormat, SimHttpAnswer } from "./format.js";

const ERRORS: Record<SimError, { status: number; type: string; code: string | null; message: string }> = {
  rate_limited: { status: 429, type: "requests", code: "rate_limit_exceeded", message: "Rate limit reached for requests" },
  quota_exhausted: { status: 429, type: "insufficient_quota", code: "insufficient_quota", message: "You exceeded your current quota" },
  overloaded: { status: 503, type: "server_error", code: null, message: "The engine is currently overloaded" },
  server_error: { status: 500, type: "server_error", code: null, message: "The server had an error while processing your request" },
  auth: { status: 401, type: "invalid_request_error", code: "invalid_api_key", message: "Incorrect API key provided" },
  invalid_request: { status: 400, type: "invalid_request_error", code: null, message: "Invalid 'messages': empty array" },
  context_too_long: { status: 400, type: "invalid_request_error", code: "context_length_exceeded", message: "This model's maximum context length is 8192 tokens" },
  content_filtered: { status: 400, type: "invalid_request_error", code: "content_policy_violation", message: "Your request was rejected by the safety system" },
};

interface OpenAiBody {
  model?: unknown;
  messages?: unknown;
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown };
}

function usage(answer: SimAnswer): Record<string, unknown> {
  return {
    prompt_tokens: answer.inputTokens,
    completion_tokens: answer.outputTokens,
    total_tokens: answer.inputTokens + answer.outputTokens,
    prompt_tokens_details: { cached_tokens: answer.cachedTokens },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}

/** The simulated OpenAI format. */
export const openAiSim: SimFormat & LegacyStream = {
  streamer(req, answer) {
    return legacyStreamer(this, req, answer);
  },

  basePath: "/v1",

  parse(path: string, raw: unknown): SimRequest | undefined {
    if (path !== "/v1/chat/completions" || typeof raw !== "object" || raw === null) return undefined;
    const body = raw as OpenAiBody;
    const messages = Array.isArray(body.messages) ? (body.messages as Array<{ content?: unknown }>) : [];
    const max = body.max_completion_tokens ?? body.max_tokens;
    return {
      model: typeof body.model === "string" ? body.model : "unknown",
      prompt: messages.map((m) => (typeof m?.content === "string" ? m.content : "")).join("\n"),
      maxTokens: typeof max === "number" ? max : undefined,
      stream: body.stream === true,
      includeUsage: body.stream_options?.include_usage === true,
    };
  },

  unary(req, answer) {
    return JSON.stringify({
      id: "chatcmpl-sim",
      object: "chat.completion",
      created: 0,
      model: req.model,
      choices: [{ index: 0, message: { role: "assistant", content: answer.chunks.join("") }, finish_reason: answer.finish }],
      usage: usage(answer),
    });
  },

  legacyStart(req) {
    return [sse(chunk(req, { role: "assistant", content: "" }, null))];
  },

  legacyChunk(req, text) {
    return [sse(chunk(req, { content: text }, null))];
  },

  legacyEnd(req, answer) {
    const frames = [sse(chunk(req, {}, answer.finish))];
    if (req.includeUsage) frames.push(sse({ id: "chatcmpl-sim", object: "chat.completion.chunk", created: 0, model: req.model, choices: [], usage: usage(answer) }));
    frames.push(sse("[DONE]"));
    return frames;
  },

  error(kind, retryAfterS): SimHttpAnswer {
    const e = ERRORS[kind];
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (kind === "rate_limited" && retryAfterS !== undefined) headers["retry-after"] = String(retryAfterS);
    return { status: e.status, headers, body: JSON.stringify({ error: { message: e.message, type: e.type, param: null, code: e.code } }) };
  },
};

function chunk(req: SimRequest, delta: Record<string, unknown>, finish: string | null): Record<string, unknown> {
  return { id: "chatcmpl-sim", object: "chat.completion.chunk", created: 0, model: req.model, choices: [{ index: 0, delta, finish_reason: finish }] };
}

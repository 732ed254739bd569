/** OpenAI Chat Completions as the simulator speaks it: text, tool calls, DeepSeek-style reasoning_content, usage. */
import type { SimAnswer, SimRequest } from "../answer.js";
import type { SimError } from "../profile.js";
import { sse } from "./format.js";
import type { SimFormat, SimHttpAnswer, SimRefusal, SimStreamWriter } from "./format.js";
import { readOpenAiRequest } from "./openai-parse.js";
import { openAiEmbedSim } from "./embeddings.js";

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

/** The usage object: cached and image tokens (the latter only when images were sent), reasoning tokens. */
function usage(answer: SimAnswer): Record<string, unknown> {
  return {
    prompt_tokens: answer.inputTokens,
    completion_tokens: answer.outputTokens,
    total_tokens: answer.inputTokens + answer.outputTokens,
    prompt_tokens_details: { cached_tokens: answer.cachedTokens, ...(answer.imageTokens > 0 ? { image_tokens: answer.imageTokens } : {}) },
    completion_tokens_details: { reasoning_tokens: answer.reasoningTokens },
  };
}

/** The whole message of a unary answer. */
function message(answer: SimAnswer): Record<string, unknown> {
  const text = answer.chunks.join("");
  const calls = answer.toolCalls;
  return {
    role: "assistant",
    content: calls.length > 0 && text === "" ? null : text,
    ...(answer.reasoning.length > 0 ? { reasoning_content: answer.reasoning.join("") } : {}),
    ...(calls.length > 0 ? { tool_calls: calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } })) } : {}),
    refusal: null,
  };
}

function chunk(req: SimRequest, delta: Record<string, unknown>, finish: string | null): Record<string, unknown> {
  return { id: "chatcmpl-sim", object: "chat.completion.chunk", created: 0, model: req.model, choices: [{ index: 0, delta, finish_reason: finish }] };
}

/** The simulated OpenAI format. */
export const openAiSim: SimFormat = {
  basePath: "/v1",
  embeddings: openAiEmbedSim,

  parse(path: string, raw: unknown): SimRequest | SimRefusal | undefined {
    if (path !== "/v1/chat/completions" || typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
    const req = readOpenAiRequest(raw as Record<string, unknown>);
    return typeof req === "string" ? { refused: req } : req;
  },

  unary(req, answer) {
    return JSON.stringify({
      id: "chatcmpl-sim",
      object: "chat.completion",
      created: 0,
      model: req.model,
      choices: [{ index: 0, message: message(answer), logprobs: null, finish_reason: answer.finish }],
      usage: usage(answer),
    });
  },

  streamer(req, answer): SimStreamWriter {
    return {
      start: () => [sse(chunk(req, { role: "assistant", content: "" }, null))],
      piece(p) {
        if (p.kind === "reasoning") return [sse(chunk(req, { content: null, reasoning_content: p.text }, null))];
        if (p.kind === "text") return [sse(chunk(req, { content: p.text }, null))];
        const call = answer.toolCalls[p.call];
        const fragment = p.first && call
          ? { index: p.call, id: call.id, type: "function", function: { name: call.name, arguments: p.fragment } }
          : { index: p.call, function: { arguments: p.fragment } };
        return [sse(chunk(req, { tool_calls: [fragment] }, null))];
      },
      end() {
        const frames = [sse(chunk(req, {}, answer.finish))];
        if (req.includeUsage) frames.push(sse({ id: "chatcmpl-sim", object: "chat.completion.chunk", created: 0, model: req.model, choices: [], usage: usage(answer) }));
        frames.push(sse("[DONE]"));
        return frames;
      },
    };
  },

  error(kind, retryAfterS, override): SimHttpAnswer {
    const e = ERRORS[kind];
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (kind === "rate_limited" && retryAfterS !== undefined) headers["retry-after"] = String(retryAfterS);
    return { status: e.status, headers, body: JSON.stringify({ error: { message: override ?? e.message, type: e.type, param: null, code: e.code } }) };
  },
};

/** Anthropic Messages as the simulator speaks it. */
import type { SimAnswer, SimRequest } from "../answer.js";
import type { SimError } from "../profile.js";
import { legacyStreamer, sse } from "./format.js";
import type { LegacyStream, SimFormat, SimHttpAnswer } from "./format.js";

const ERRORS: Record<SimError, { status: number; type: string; message: string }> = {
  rate_limited: { status: 429, type: "rate_limit_error", message: "Number of request tokens has exceeded your per-minute rate limit" },
  quota_exhausted: { status: 400, type: "invalid_request_error", message: "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits." },
  overloaded: { status: 529, type: "overloaded_error", message: "Overloaded" },
  server_error: { status: 500, type: "api_error", message: "Internal server error" },
  auth: { status: 401, type: "authentication_error", message: "invalid x-api-key" },
  invalid_request: { status: 400, type: "invalid_request_error", message: "max_tokens: Field required" },
  context_too_long: { status: 400, type: "invalid_request_error", message: "prompt is too long: 210000 tokens > 200000 maximum" },
  content_filtered: { status: 400, type: "invalid_request_error", message: "Output blocked by content filtering policy" },
};

interface AnthropicBody {
  model?: unknown;
  system?: unknown;
  messages?: unknown;
  max_tokens?: unknown;
  stream?: unknown;
}

/** The text of a `content` or `system` value: a string, or an array of text blocks. */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((b: unknown) => (typeof b === "object" && b !== null && typeof (b as { text?: unknown }).text === "string" ? (b as { text: string }).text : ""))
    .join("\n");
}

/** Usage as Anthropic reports it: `input_tokens` excludes the cache reads. */
function usage(answer: SimAnswer, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: answer.inputTokens - answer.cachedTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: answer.cachedTokens,
    output_tokens: outputTokens,
  };
}

function stopReason(answer: SimAnswer): string {
  return answer.finish === "length" ? "max_tokens" : "end_turn";
}

/** The simulated Anthropic Messages format. */
export const anthropicSim: SimFormat & LegacyStream = {
  streamer(req, answer) {
    return legacyStreamer(this, req, answer);
  },

  basePath: "",

  parse(path: string, raw: unknown): SimRequest | undefined {
    if (path !== "/v1/messages" || typeof raw !== "object" || raw === null) return undefined;
    const body = raw as AnthropicBody;
    // The real API rejects a request without max_tokens or messages.
    if (typeof body.max_tokens !== "number" || !Array.isArray(body.messages)) return undefined;
    const turns = (body.messages as unknown[]).map((m) => textOf(typeof m === "object" && m !== null ? (m as { content?: unknown }).content : undefined));
    const system = textOf(body.system);
    return {
      model: typeof body.model === "string" ? body.model : "unknown",
      prompt: [...(system ? [system] : []), ...turns].join("\n"),
      maxTokens: body.max_tokens,
      stream: body.stream === true,
      includeUsage: false,
    };
  },

  unary(req, answer) {
    return JSON.stringify({
      id: "msg_sim",
      type: "message",
      role: "assistant",
      model: req.model,
      content: [{ type: "text", text: answer.chunks.join("") }],
      stop_reason: stopReason(answer),
      stop_sequence: null,
      usage: usage(answer, answer.outputTokens),
    });
  },

  legacyStart(req, answer) {
    const message = {
      id: "msg_sim",
      type: "message",
      role: "assistant",
      content: [],
      model: req.model,
      stop_reason: null,
      stop_sequence: null,
      usage: usage(answer, 1),
    };
    return [
      sse({ type: "message_start", message }, "message_start"),
      sse({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }, "content_block_start"),
      sse({ type: "ping" }, "ping"),
    ];
  },

  legacyChunk(_req, text) {
    return [sse({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } }, "content_block_delta")];
  },

  legacyEnd(_req, answer) {
    return [
      sse({ type: "content_block_stop", index: 0 }, "content_block_stop"),
      sse({ type: "message_delta", delta: { stop_reason: stopReason(answer), stop_sequence: null }, usage: { output_tokens: answer.outputTokens } }, "message_delta"),
      sse({ type: "message_stop" }, "message_stop"),
    ];
  },

  error(kind, retryAfterS): SimHttpAnswer {
    const e = ERRORS[kind];
    const headers: Record<string, string> = { "content-type": "application/json", "request-id": "req_sim" };
    if (kind === "rate_limited" && retryAfterS !== undefined) headers["retry-after"] = String(retryAfterS);
    return { status: e.status, headers, body: JSON.stringify({ type: "error", error: { type: e.type, message: e.message } }) };
  },
};

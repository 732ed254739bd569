/** Anthropic Messages as the simulator speaks it: strict about tool pairing and thinking, like the real API. */
import type { SimAnswer, SimRequest, SimTool } from "../answer.js";
import type { SimError } from "../profile.js";
import { AnthropicSimStream, simStopReason, simUsage } from "./anthropic-stream.js";
import { anthropicRejection, blocks, obj, simSignature } from "./anthropic-validate.js";
import type { SimFormat, SimHttpAnswer, SimRefusal } from "./format.js";

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

/** A system prompt that asks for one JSON object (how a client asks for JSON without a schema): the model complies. */
const ASKS_FOR_JSON = /\bone JSON object\b/i;

/**
 * Why the last request `parse` refused, for the 400 the server writes right after it (parse and error run in one
 * synchronous step of the server's handler, so no other request comes between); consumed by `error`.
 */

/** The text of blocks for counting input tokens: text, tool inputs and tool results (nested blocks included). */
function textOf(content: unknown): string {
  return blocks(content)
    .map((b) => (typeof b["text"] === "string" ? b["text"] : b["type"] === "tool_use" ? JSON.stringify(b["input"]) : b["type"] === "tool_result" ? textOf(b["content"] ?? "") : ""))
    .filter((t) => t !== "")
    .join("\n");
}

/** Images in the user turns, tool results included. */
function countImages(content: unknown): number {
  return blocks(content).reduce((n, b) => n + (b["type"] === "image" ? 1 : b["type"] === "tool_result" ? countImages(b["content"] ?? "") : 0), 0);
}

/** The request's tool controls as the simulated model needs them. */
function toolControls(body: Record<string, unknown>): Pick<SimRequest, "tools" | "toolChoice" | "parallelToolCalls"> {
  const tools: SimTool[] = (Array.isArray(body["tools"]) ? body["tools"] : []).map((t) => ({ name: String(obj(t)?.["name"]), parameters: obj(t)?.["input_schema"] }));
  const choice = obj(body["tool_choice"]);
  const type = choice?.["type"];
  const toolChoice = type === "tool" ? { name: String(choice?.["name"]) } : type === "any" ? "required" : type === "none" ? "none" : type === "auto" ? "auto" : undefined;
  return {
    tools,
    ...(toolChoice !== undefined ? { toolChoice } : {}),
    ...(choice?.["disable_parallel_tool_use"] === true ? { parallelToolCalls: false } : {}),
  };
}

/** The simulated Anthropic Messages format. */
export const anthropicSim: SimFormat = {
  basePath: "",

  parse(path: string, raw: unknown): SimRequest | SimRefusal | undefined {
    const body = obj(raw);
    if (path !== "/v1/messages" || !body) return undefined;
    const refused = anthropicRejection(body);
    if (refused !== undefined) return { refused };
    const messages = (body["messages"] as unknown[]).map((m) => obj(m) ?? {});
    const system = typeof body["system"] === "string" ? body["system"] : textOf(body["system"]);
    const last = messages[messages.length - 1];
    const format = obj(obj(body["output_config"])?.["format"]);
    const json = format ? { schema: format["schema"] } : ASKS_FOR_JSON.test(system) ? {} : undefined;
    const thinking = obj(body["thinking"])?.["type"];
    return {
      model: typeof body["model"] === "string" ? body["model"] : "unknown",
      prompt: [...(system ? [system] : []), ...messages.map((m) => textOf(m["content"]))].join("\n"),
      maxTokens: body["max_tokens"] as number,
      stream: body["stream"] === true,
      includeUsage: false,
      ...toolControls(body),
      // Results with no question after them: the model answers from them (a question after them may need more calls).
      afterToolResult: last?.["role"] === "user" && blocks(last["content"]).at(-1)?.["type"] === "tool_result",
      ...(json ? { json } : {}),
      images: messages.reduce((n, m) => n + (m["role"] === "user" ? countImages(m["content"]) : 0), 0),
      reasoning: thinking === "enabled" || thinking === "adaptive",
    };
  },

  unary(req, answer: SimAnswer) {
    const content: Array<Record<string, unknown>> = [];
    if (answer.reasoning.length > 0) {
      const thinking = answer.reasoning.join("");
      content.push({ type: "thinking", thinking, signature: simSignature(thinking) });
    }
    if (answer.chunks.length > 0 || answer.toolCalls.length === 0) content.push({ type: "text", text: answer.chunks.join("") });
    for (const c of answer.toolCalls) content.push({ type: "tool_use", id: c.id, name: c.name, input: JSON.parse(c.arguments) as unknown });
    return JSON.stringify({
      id: "msg_sim",
      type: "message",
      role: "assistant",
      model: req.model,
      content,
      stop_reason: simStopReason(answer),
      stop_sequence: null,
      usage: simUsage(answer, answer.outputTokens),
    });
  },

  streamer(req, answer) {
    return new AnthropicSimStream(req, answer);
  },

  error(kind, retryAfterS, override): SimHttpAnswer {
    const e = ERRORS[kind];
    const message = override ?? e.message;
    const headers: Record<string, string> = { "content-type": "application/json", "request-id": "req_sim" };
    if (kind === "rate_limited" && retryAfterS !== undefined) headers["retry-after"] = String(retryAfterS);
    return { status: e.status, headers, body: JSON.stringify({ type: "error", error: { type: e.type, message } }) };
  },
};

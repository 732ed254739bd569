/** A unary Messages response: text, tool_use, thinking and redacted_thinking blocks, stop reason, usage. */
import { ProviderError } from "../errors.js";
import { isObject, str } from "../headers.js";
import type { ChatResult, ReasoningBlock, ToolCall } from "../types.js";
import { mapStopReason, readAnthropicUsage } from "./usage.js";

/** A thinking block (or a redacted one) as a reasoning block to send back; undefined for other blocks. */
export function reasoningOf(block: Readonly<Record<string, unknown>>): ReasoningBlock | undefined {
  if (block["type"] === "thinking") {
    const signature = str(block["signature"]);
    return { format: "anthropic", text: str(block["thinking"]) ?? "", ...(signature ? { signature } : {}) };
  }
  if (block["type"] === "redacted_thinking" && typeof block["data"] === "string") return { format: "anthropic", redacted: block["data"] };
  return undefined;
}

/** Reads a `message` object (already known not to be an error) into a result. */
export function readMessage(body: unknown): ChatResult {
  if (!isObject(body) || body["type"] !== "message" || !Array.isArray(body["content"])) {
    throw new ProviderError({ kind: "invalid_response", reason: "malformed message" });
  }
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  const reasoning: ReasoningBlock[] = [];
  for (const block of body["content"] as unknown[]) {
    if (!isObject(block)) continue;
    if (block["type"] === "text" && typeof block["text"] === "string") texts.push(block["text"]);
    else if (block["type"] === "tool_use") toolCalls.push(toolCall(block));
    else {
      const r = reasoningOf(block);
      if (r) reasoning.push(r);
    }
  }
  const model = str(body["model"]);
  return {
    text: texts.join(""),
    finishReason: toolCalls.length > 0 ? "tool_calls" : mapStopReason(body["stop_reason"]),
    usage: readAnthropicUsage(body["usage"]),
    ...(model !== undefined ? { responseModel: model } : {}),
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    ...(reasoning.length > 0 ? { reasoning } : {}),
  };
}

/** A tool_use block as a call; its input object becomes JSON text. */
function toolCall(block: Readonly<Record<string, unknown>>): ToolCall {
  const id = str(block["id"]);
  const name = str(block["name"]);
  if (id === undefined || name === undefined) throw new ProviderError({ kind: "invalid_response", reason: "tool_use block without id or name" });
  return { id, name, arguments: JSON.stringify(isObject(block["input"]) ? block["input"] : {}) };
}

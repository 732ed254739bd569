/** The contract's CompleteResponse -> an OpenAI `chat.completion` (and the pieces the stream encoder shares). */
import type { ReasoningBlock, ToolCall } from "../../../../gen/llmgateway/v1/content_pb.js";
import type { CompleteResponse } from "../../../../gen/llmgateway/v1/gateway_pb.js";
import { FinishReason } from "../../../../gen/llmgateway/v1/types_pb.js";
import type { Usage } from "../../../../gen/llmgateway/v1/types_pb.js";

/** OpenAI's finish_reason for the contract's. */
export function finishReason(reason: FinishReason): string {
  switch (reason) {
    case FinishReason.LENGTH:
      return "length";
    case FinishReason.TOOL_CALLS:
      return "tool_calls";
    case FinishReason.CONTENT_FILTER:
      return "content_filter";
    default:
      return "stop";
  }
}

/** OpenAI's usage object: only the counts the provider reported (unknown is absent, never 0); undefined when none. */
export function usageOf(usage: Usage | undefined): Record<string, unknown> | undefined {
  if (usage === undefined || (usage.inputTokens === undefined && usage.outputTokens === undefined)) return undefined;
  const out: Record<string, unknown> = {};
  if (usage.inputTokens !== undefined) out["prompt_tokens"] = Number(usage.inputTokens);
  if (usage.outputTokens !== undefined) out["completion_tokens"] = Number(usage.outputTokens);
  if (usage.inputTokens !== undefined && usage.outputTokens !== undefined) out["total_tokens"] = Number(usage.inputTokens + usage.outputTokens);
  if (usage.cachedInputTokens !== undefined) out["prompt_tokens_details"] = { cached_tokens: Number(usage.cachedInputTokens) };
  if (usage.reasoningTokens !== undefined) out["completion_tokens_details"] = { reasoning_tokens: Number(usage.reasoningTokens) };
  return out;
}

/** A tool call as OpenAI writes it (with the opaque signature a tool loop must send back, when there is one). */
export function toolCallOf(c: ToolCall): Record<string, unknown> {
  const out: Record<string, unknown> = { id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } };
  if (c.signature !== "") out["llmgateway_signature"] = c.signature;
  return out;
}

/** Reasoning on the answer: its text as `reasoning_content` (DeepSeek's name), and the blocks to send back verbatim. */
export function reasoningFields(blocks: readonly ReasoningBlock[]): Record<string, unknown> {
  if (blocks.length === 0) return {};
  const text = blocks.map((b) => b.text).join("");
  return {
    ...(text === "" ? {} : { reasoning_content: text }),
    llmgateway_reasoning: blocks.map((b) => ({ format: b.format, text: b.text, ...(b.signature === "" ? {} : { signature: b.signature }), ...(b.redacted === "" ? {} : { redacted: b.redacted }) })),
  };
}

/** The chat.completion for an answer. */
export function toChatCompletion(res: CompleteResponse, id: string, created: number): Record<string, unknown> {
  const message: Record<string, unknown> = {
    role: "assistant",
    content: res.text === "" && res.toolCalls.length > 0 ? null : res.text,
    refusal: res.refusal === "" ? null : res.refusal,
    ...reasoningFields(res.reasoning),
  };
  if (res.toolCalls.length > 0) message["tool_calls"] = res.toolCalls.map(toolCallOf);
  const out: Record<string, unknown> = {
    id,
    object: "chat.completion",
    created,
    model: res.model,
    choices: [{ index: 0, message, finish_reason: finishReason(res.finishReason), logprobs: null }],
  };
  const usage = usageOf(res.usage);
  if (usage !== undefined) out["usage"] = usage;
  return out;
}

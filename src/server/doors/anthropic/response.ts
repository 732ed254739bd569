/**
 * The contract's CompleteResponse -> an Anthropic message: thinking blocks, text, tool_use blocks with parsed
 * input, the stop reason, and usage in Anthropic's terms (its `input_tokens` excludes cache reads and writes,
 * which the contract's include). A count the provider did not report is left out, never sent as 0.
 */
import type { ReasoningBlock, ToolCall } from "../../../../gen/llmgateway/v1/content_pb.js";
import type { CompleteResponse } from "../../../../gen/llmgateway/v1/gateway_pb.js";
import { FinishReason } from "../../../../gen/llmgateway/v1/types_pb.js";
import type { Usage } from "../../../../gen/llmgateway/v1/types_pb.js";
import { callSignatureBlocks, thinkingBlock } from "./reasoning.js";

/** Anthropic's stop reasons the gateway's finish reasons map onto. */
export type StopReason = "end_turn" | "max_tokens" | "tool_use" | "refusal";

/** Why the model stopped, in Anthropic's terms: tool_use whenever the answer calls tools. */
export function stopReason(res: CompleteResponse): StopReason {
  if (res.toolCalls.length > 0 || res.finishReason === FinishReason.TOOL_CALLS) return "tool_use";
  if (res.refusal !== "" || res.finishReason === FinishReason.CONTENT_FILTER) return "refusal";
  if (res.finishReason === FinishReason.LENGTH) return "max_tokens";
  return "end_turn";
}

/** Usage as Anthropic reports it; unknown counts absent (cache counts null, as Anthropic's own type allows). */
export function anthropicUsage(u: Usage | undefined): Record<string, number | null> {
  const cached = u?.cachedInputTokens;
  const written = u?.cacheWriteTokens;
  const out: Record<string, number | null> = {};
  if (u?.inputTokens !== undefined) out["input_tokens"] = Math.max(0, Number(u.inputTokens - (cached ?? 0n) - (written ?? 0n)));
  out["cache_creation_input_tokens"] = written === undefined ? null : Number(written);
  out["cache_read_input_tokens"] = cached === undefined ? null : Number(cached);
  if (u?.outputTokens !== undefined) out["output_tokens"] = Number(u.outputTokens);
  return out;
}

/** A message id from the request id (Anthropic's ids are `msg_` and letters, digits, `_`). */
export function messageId(requestId: string): string {
  return `msg_${requestId.replace(/[^A-Za-z0-9_]/g, "")}`;
}

/** Tool-call arguments as the `input` object (the service checked they are one; `{}` when empty). */
export function parseInput(args: string): unknown {
  try {
    const v: unknown = JSON.parse(args === "" ? "{}" : args);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

/** Content blocks in Anthropic's order: thinking (the calls' own signatures last), text, tool_use. */
export function contentBlocks(reasoning: readonly ReasoningBlock[], text: string, toolCalls: readonly ToolCall[]): Array<Record<string, unknown>> {
  const blocks: Array<Record<string, unknown>> = [...reasoning.map(thinkingBlock), ...callSignatureBlocks(toolCalls)];
  if (text !== "") blocks.push({ type: "text", text });
  for (const c of toolCalls) blocks.push({ type: "tool_use", id: c.id, name: c.name, input: parseInput(c.arguments) });
  return blocks;
}

/** A whole answer as Anthropic's message JSON. */
export function toAnthropicMessage(res: CompleteResponse): Record<string, unknown> {
  return {
    id: messageId(res.requestId),
    type: "message",
    role: "assistant",
    model: res.model,
    content: contentBlocks(res.reasoning, res.text !== "" ? res.text : res.refusal, res.toolCalls),
    stop_reason: stopReason(res),
    stop_sequence: null,
    usage: anthropicUsage(res.usage),
  };
}

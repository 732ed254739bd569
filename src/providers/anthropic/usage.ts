/** Anthropic usage counts and stop reasons, normalised to the gateway's. */
import { count, isObject, own } from "../headers.js";
import type { FinishReason, Usage } from "../types.js";

const FINISH: Record<string, FinishReason> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  refusal: "content_filter",
  tool_use: "tool_calls",
  pause_turn: "other",
};

/** Maps an Anthropic stop_reason to ours. */
export function mapStopReason(reason: unknown): FinishReason {
  return typeof reason === "string" ? (own(FINISH, reason) ?? "other") : "unspecified";
}

/** Usage fields as Anthropic reports them; each may be absent. */
export interface RawUsage {
  input?: number;
  cacheRead?: number;
  cacheWrite?: number;
  output?: number;
  thinking?: number;
}

/** Overlays the counts present in an Anthropic `usage` object onto `into`. */
export function mergeUsage(into: RawUsage, usage: unknown): void {
  if (!isObject(usage)) return;
  const input = count(usage["input_tokens"]);
  const cacheRead = count(usage["cache_read_input_tokens"]);
  const cacheWrite = count(usage["cache_creation_input_tokens"]);
  const output = count(usage["output_tokens"]);
  const details = usage["output_tokens_details"];
  const thinking = isObject(details) ? count(details["thinking_tokens"]) : undefined;
  if (input !== undefined) into.input = input;
  if (cacheRead !== undefined) into.cacheRead = cacheRead;
  if (cacheWrite !== undefined) into.cacheWrite = cacheWrite;
  if (output !== undefined) into.output = output;
  if (thinking !== undefined) into.thinking = thinking;
}

/** Normalises: Anthropic's `input_tokens` excludes cache reads and writes; ours includes both. */
export function normalise(raw: RawUsage): Usage {
  const out: Usage = {};
  if (raw.input !== undefined) out.inputTokens = raw.input + (raw.cacheRead ?? 0) + (raw.cacheWrite ?? 0);
  if (raw.cacheRead !== undefined) out.cachedInputTokens = raw.cacheRead;
  if (raw.cacheWrite !== undefined) out.cacheWriteTokens = raw.cacheWrite;
  if (raw.output !== undefined) out.outputTokens = raw.output;
  if (raw.thinking !== undefined) out.reasoningTokens = raw.thinking;
  return out;
}

/** Reads an Anthropic `usage` object into normalised usage; absent counts stay absent. */
export function readAnthropicUsage(usage: unknown): Usage {
  const raw: RawUsage = {};
  mergeUsage(raw, usage);
  return normalise(raw);
}

/**
 * Reasoning blocks as Anthropic thinking blocks, both ways. Anthropic's own blocks go out as they came (thinking
 * with its signature, redacted_thinking with its data). Another wire format's reasoning (DeepSeek's text, Gemini's
 * signatures) goes out as a thinking block whose signature is marked `llmgateway:<format>:<signature>`, so that a
 * client sending the block back, as Anthropic clients do, returns it to its own format untouched.
 */
import type { ReasoningBlock } from "../../../../gen/llmgateway/v1/content_pb.js";

const MARK = /^llmgateway:(openai|gemini|anthropic):/;

/** What a reasoning block becomes in a proto request: its format, text, signature and redacted data. */
export interface ReasoningInit {
  readonly format: string;
  readonly text: string;
  readonly signature: string;
  readonly redacted: string;
}

/** A reasoning block as an Anthropic content block. */
export function thinkingBlock(b: ReasoningBlock): Record<string, string> {
  const mark = b.format === "anthropic" ? "" : `llmgateway:${b.format}:`;
  if (b.redacted !== "") return { type: "redacted_thinking", data: `${mark}${b.redacted}` };
  return { type: "thinking", thinking: b.text, signature: `${mark}${b.signature}` };
}

/** The signature a thinking block carries for a reasoning block (marked for another format). */
export function signatureOf(b: ReasoningBlock): string {
  return b.format === "anthropic" ? b.signature : `llmgateway:${b.format}:${b.signature}`;
}

/** A thinking block sent back -> a reasoning block of its format. */
export function fromThinking(text: string, signature: string): ReasoningInit {
  const m = MARK.exec(signature);
  return { format: m?.[1] ?? "anthropic", text, signature: m ? signature.slice(m[0].length) : signature, redacted: "" };
}

/** A redacted_thinking block sent back -> a reasoning block of its format. */
export function fromRedacted(data: string): ReasoningInit {
  const m = MARK.exec(data);
  return { format: m?.[1] ?? "anthropic", text: "", signature: "", redacted: m ? data.slice(m[0].length) : data };
}

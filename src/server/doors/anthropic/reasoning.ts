/**
 * Reasoning and opaque provider state as Anthropic thinking blocks, both ways. Anthropic's own blocks go out as
 * they came (thinking with its signature, redacted_thinking with its data). Other state is carried in a thinking
 * block's signature, marked so that a client sending the block back, as Anthropic clients do, returns it untouched:
 * - another wire format's reasoning (DeepSeek's text, Gemini's signatures): `llmgateway:<format>:<signature>`;
 * - a tool call's own signature (Gemini's thought signature on a functionCall): `llmgateway:call:<base64url JSON
 *   [id, signature]>`, in an empty thinking block;
 * - reasoning text the stream showed with no state behind it: `llmgateway:shown:`, dropped when it comes back.
 */
import type { ReasoningBlock, ToolCall } from "../../../../gen/llmgateway/v1/content_pb.js";

const MARK = /^llmgateway:(openai|gemini|anthropic|call|shown):/;

/** What a reasoning block becomes in a proto request: its format, text, signature and redacted data. */
export interface ReasoningInit {
  readonly format: string;
  readonly text: string;
  readonly signature: string;
  readonly redacted: string;
}

/** What a thinking block sent back carries: reasoning, a tool call's signature, or nothing to send on. */
export type ThinkingBack = { readonly kind: "reasoning"; readonly block: ReasoningInit } | { readonly kind: "call"; readonly id: string; readonly signature: string } | { readonly kind: "none" };

/** The signature of a thinking block with no state behind it (shown only). */
export const SHOWN_SIGNATURE = "llmgateway:shown:";

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

/** The empty thinking blocks that carry the calls' own signatures, for the calls that have one. */
export function callSignatureBlocks(calls: readonly ToolCall[]): Array<Record<string, string>> {
  return calls
    .filter((c) => c.signature !== "")
    .map((c) => ({ type: "thinking", thinking: "", signature: `llmgateway:call:${Buffer.from(JSON.stringify([c.id, c.signature])).toString("base64url")}` }));
}

/** A thinking block sent back -> what it carries. */
export function fromThinking(text: string, signature: string): ThinkingBack {
  const m = MARK.exec(signature);
  const format = m?.[1] ?? "anthropic";
  const rest = m ? signature.slice(m[0].length) : signature;
  if (format === "shown") return { kind: "none" };
  if (format === "call") return callOf(rest);
  return { kind: "reasoning", block: { format, text, signature: rest, redacted: "" } };
}

function callOf(encoded: string): ThinkingBack {
  try {
    const v: unknown = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
    if (Array.isArray(v) && typeof v[0] === "string" && typeof v[1] === "string") return { kind: "call", id: v[0], signature: v[1] };
  } catch {
    // Not ours after all: nothing to send on.
  }
  return { kind: "none" };
}

/** A redacted_thinking block sent back -> a reasoning block of its format. */
export function fromRedacted(data: string): ReasoningInit {
  const m = /^llmgateway:(openai|gemini):/.exec(data);
  return { format: m?.[1] ?? "anthropic", text: "", signature: "", redacted: m ? data.slice(m[0].length) : data };
}

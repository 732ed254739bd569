/** Bounds on a request, beyond the server's message size limit, and the one way a field is refused. */
import { Code, ConnectError } from "@connectrpc/connect";

/** Bounds on a request. */
export const LIMITS = {
  maxMessages: 1000,
  maxContentChars: 1_000_000,
  maxTokens: 1_000_000,
  maxStop: 4,
  maxStopChars: 256,
  maxTags: 32,
  maxTagKeyChars: 64,
  maxTagValueChars: 256,
  maxRequestIdChars: 128,
  maxModelChars: 256,
  maxTools: 128,
  maxToolDescriptionChars: 8192,
  maxSchemaChars: 100_000,
  maxImages: 100,
  /** Per image: OpenAI's 20 MB; Anthropic's lower 5 MB is checked by its adapter per candidate. */
  maxImageBytes: 20 * 1024 * 1024,
  maxUrlChars: 8192,
  maxReasoningBudget: 1_000_000,
} as const;

/** A tool name every provider takes: a letter or underscore, then letters, digits, `_` or `-`; at most 64 (OpenAI's and Anthropic's rules, and Gemini's first character). */
export const TOOL_NAME = /^[a-zA-Z_][a-zA-Z0-9_-]{0,63}$/;

/** INVALID_ARGUMENT naming the field. */
export function invalid(field: string, message: string): ConnectError {
  return new ConnectError(`${field}: ${message}`, Code.InvalidArgument);
}

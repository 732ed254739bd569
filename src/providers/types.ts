/** Provider-neutral types shared by every adapter: the request, its events and its result. */

/** Who wrote a message. */
export type Role = "system" | "user" | "assistant";

/** One turn of a conversation. */
export interface ChatMessage {
  readonly role: Role;
  readonly content: string;
}

/** Generation parameters; an absent field means "the provider's default". */
export interface ChatParams {
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly stop?: readonly string[];
}

/** A conversation to complete, independent of any wire format. */
export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  readonly params: ChatParams;
}

/**
 * Token usage as reported by a provider, normalised: `inputTokens` counts every input token
 * (cached and cache writes included), `outputTokens` every output token (reasoning included).
 * An absent count is unknown, never zero.
 */
export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
  cachedInputTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

/** Why the model stopped, the same for every provider. */
export type FinishReason = "stop" | "length" | "content_filter" | "other" | "unspecified";

/** The whole answer of a unary call. */
export interface ChatResult {
  readonly text: string;
  readonly finishReason: FinishReason;
  readonly usage: Usage;
  /** The model name the provider reported, when it did. */
  readonly responseModel?: string;
}

/** One event of a streamed answer. */
export type StreamEvent =
  | { readonly type: "delta"; readonly text: string }
  | { readonly type: "usage"; readonly usage: Usage }
  | { readonly type: "finish"; readonly reason: FinishReason; readonly responseModel?: string };

/** What an adapter needs to call one model: the request plus the deployment's details. */
export interface UpstreamCall {
  readonly request: ChatRequest;
  /** The model name sent to the provider. */
  readonly upstreamModel: string;
  /** Used when the request gives no maxTokens but the wire format requires one (Anthropic). */
  readonly defaultMaxTokens: number;
}

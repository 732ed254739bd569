/** Provider-neutral types shared by every adapter: the request, its events and its result. */

/** Who wrote a message; "tool" carries the result of a tool call. */
export type Role = "system" | "user" | "assistant" | "tool";

/** The wire formats, as the owners of opaque reasoning state. */
export type WireKind = "openai" | "anthropic" | "gemini";

/** An image: an http(s) URL the provider fetches, or bytes (base64 here) with their media type. */
export type ImageSource =
  | { readonly kind: "url"; readonly url: string; readonly mediaType?: string }
  | { readonly kind: "base64"; readonly data: string; readonly mediaType: string };

/** One part of a message's content. */
export type ContentPart =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "image"; readonly image: ImageSource; readonly detail?: "auto" | "low" | "high" };

/** A tool call the model made. `arguments` is JSON text of an object; `signature` is opaque provider state (Gemini). */
export interface ToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
  readonly signature?: string;
}

/** Reasoning a provider returned, to be sent back untouched to the same wire format in a later turn. */
export interface ReasoningBlock {
  readonly format: WireKind;
  readonly text?: string;
  readonly signature?: string;
  /** Encrypted reasoning the provider did not show (Anthropic redacted_thinking). */
  readonly redacted?: string;
}

/**
 * One turn of a conversation. `content` is the message's text (all text parts joined); `parts` is present when
 * the message has images or several parts, in order. Assistant turns may carry tool calls and reasoning; a tool
 * turn answers `toolCallId` with `content`.
 */
export interface ChatMessage {
  readonly role: Role;
  readonly content: string;
  readonly parts?: readonly ContentPart[];
  readonly toolCalls?: readonly ToolCall[];
  readonly toolCallId?: string;
  /** Tool turns: the result is an error. */
  readonly isError?: boolean;
  readonly reasoning?: readonly ReasoningBlock[];
}

/** A function the model may call; `parameters` is a JSON Schema object (parsed), absent for no arguments. */
export interface ToolSpec {
  readonly name: string;
  readonly description?: string;
  readonly parameters?: Readonly<Record<string, unknown>>;
  readonly strict?: boolean;
}

/** Whether and which tools the model must call. */
export type ToolChoice = { readonly mode: "auto" | "none" | "required" } | { readonly mode: "tool"; readonly name: string };

/** The shape the answer's text must take; a schema is parsed JSON Schema. */
export type ResponseFormat =
  | { readonly type: "text" }
  | { readonly type: "json_object" }
  | {
      readonly type: "json_schema";
      readonly name: string;
      readonly description?: string;
      readonly schema: Readonly<Record<string, unknown>>;
      readonly strict: boolean;
      /** The client asked the gateway not to validate the answer. */
      readonly skipValidation: boolean;
    };

/** A portable reasoning control: an effort level, or a budget of tokens (which wins when both are given). */
export interface ReasoningControl {
  readonly effort?: "none" | "minimal" | "low" | "medium" | "high";
  readonly budgetTokens?: number;
}

/** Generation parameters; an absent field means "the provider's default". */
export interface ChatParams {
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly stop?: readonly string[];
}

/** A conversation to complete, independent of any wire format; tools and formats are absent when not asked for. */
export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  readonly params: ChatParams;
  readonly tools?: readonly ToolSpec[];
  readonly toolChoice?: ToolChoice;
  /** False: at most one tool call per turn. Absent: the provider's default. */
  readonly parallelToolCalls?: boolean;
  readonly responseFormat?: ResponseFormat;
  readonly reasoning?: ReasoningControl;
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
  /** The part of inputTokens spent on images, when the provider says. */
  imageInputTokens?: number;
}

/** Why the model stopped, the same for every provider; "tool_calls" whenever the answer carries tool calls. */
export type FinishReason = "stop" | "length" | "content_filter" | "tool_calls" | "other" | "unspecified";

/** The whole answer of a unary call. */
export interface ChatResult {
  readonly text: string;
  readonly finishReason: FinishReason;
  readonly usage: Usage;
  /** The model name the provider reported, when it did. */
  readonly responseModel?: string;
  /** Tool calls, in order; absent or empty when there are none. */
  readonly toolCalls?: readonly ToolCall[];
  /** The model's refusal text (OpenAI `refusal`), when it declined. */
  readonly refusal?: string;
  /** Reasoning to send back in the next turn (and its shown text). */
  readonly reasoning?: readonly ReasoningBlock[];
}

/**
 * A piece of a streamed tool call. Pieces of one call share its `index` (0, 1, ... in the order calls start, never
 * reused within a stream); the first piece carries `id` and `name`, later ones argument fragments to join in order.
 */
export interface ToolCallDelta {
  readonly index: number;
  readonly id?: string;
  readonly name?: string;
  readonly arguments: string;
  /** Opaque provider state of the call (Gemini thought signature), on the piece where it arrived. */
  readonly signature?: string;
}

/** One event of a streamed answer. */
export type StreamEvent =
  | { readonly type: "delta"; readonly text: string }
  | { readonly type: "tool_call"; readonly delta: ToolCallDelta }
  | { readonly type: "reasoning"; readonly text: string }
  /** Opaque reasoning state to send back (a finished thinking block, a signature); not shown to clients as a delta. */
  | { readonly type: "reasoning_block"; readonly block: ReasoningBlock }
  | { readonly type: "refusal"; readonly text: string }
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

/** Why a wire format cannot carry a request faithfully: the field path and what it cannot take. */
export interface Unsupported {
  /** The request field, in the contract's names, e.g. `tools[0].parameters.properties.city.pattern`. */
  readonly field: string;
  readonly reason: string;
}

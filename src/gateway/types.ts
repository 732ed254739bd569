/** Core request, outcome and error types of the gateway, independent of any transport. */
import type { Tier } from "../config/schema.js";
import type { ErrorKind } from "../providers/errors.js";
import type { ChatRequest, FinishReason, ReasoningBlock, ToolCall, ToolCallDelta, Usage } from "../providers/types.js";
import type { ClientKeyConfig } from "../config/auth.js";
import type { Scope } from "./scope.js";

/** The provider-neutral chat types, re-exported for the rooms above the core. */
export type { ChatMessage, ContentPart, FinishReason, ReasoningBlock, Role, ToolCall, ToolCallDelta, ToolSpec, Usage } from "../providers/types.js";
/** The closed set of provider failure kinds, re-exported for the rooms above the core. */
export type { ErrorKind } from "../providers/errors.js";

/** A completion request as the core sees it. */
export interface GatewayRequest {
  /** A model name or a route name. */
  readonly target: string;
  readonly chat: ChatRequest;
  /** The caller's complexity hint; estimated from the prompt when absent. */
  readonly complexity: Tier | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly requestId: string;
  /** Models and routes the caller's key may use; undefined: all. Fallbacks outside it are not called. */
  readonly allowed?: ReadonlySet<string> | undefined;
  /** What is asked: a completion (absent: "chat") or embeddings (then `embed` holds the batch and `chat` is its budget view). */
  readonly operation?: Operation;
  /** The batch of an embeddings request (src/gateway/embed/embed-request.ts). */
  readonly embed?: EmbedInput;
}

/** What a request asks the gateway for: a chat completion or embeddings. */
export type Operation = "chat" | "embeddings";

/** The batch of an embeddings request. */
export interface EmbedInput {
  /** The texts, in order; one vector each. */
  readonly inputs: readonly string[];
  /** The vector size asked for; the model's configured default (or the provider's) when absent. */
  readonly dimensions: number | undefined;
}

/** Who is calling and until when. */
export interface CallContext {
  /** The call's scope, made at the edge: aborted when the client goes away ("client") or at its deadline ("deadline"), which it carries. */
  readonly scope: Scope;
  /** The client key calling, when auth is on. */
  readonly principal: ClientKeyConfig | undefined;
  /** The caller's tracing context, opaque to the core: handed to the observers with every event. */
  readonly trace?: unknown;
}

/** How an attempt ended. */
export type AttemptOutcome = "succeeded" | "failed" | "aborted";

/** One provider attempt, as reported to clients and written to the ledger. */
export interface AttemptRecord {
  readonly number: number;
  readonly model: string;
  readonly provider: string;
  readonly outcome: AttemptOutcome;
  readonly errorKind: ErrorKind | undefined;
  readonly httpStatus: number | undefined;
  /** Short, secret-free reason. */
  readonly reason: string;
  /** Clock time the attempt started, epoch ms. */
  readonly startedAt: number;
  readonly latencyMs: number;
  readonly ttftMs: number | undefined;
  readonly hedge: boolean;
  /** A move to another deployment (another model) after the attempt that failed last; never a hedge. */
  readonly failover: boolean;
  /** Another call of the same deployment after its own failure (the attempt that failed last); never a hedge. */
  readonly retry: boolean;
  /** The usage accounted for the attempt (see usageBasis): what it is billed and counted against budgets for. */
  readonly usage: Usage;
  readonly costPicos: bigint;
  /** True when the provider did not report input or output tokens (the accounted usage is then estimated, or absent). */
  readonly usageUnknown: boolean;
  /** Where the accounted usage comes from. */
  readonly usageBasis: UsageBasis;
}

/**
 * Where an attempt's accounted usage comes from: the provider's report; a bound, when the report was beyond what
 * the request could have used (billed at the bound); or the gateway's estimate, when the provider reported none
 * for a call it may bill (a cut or cancelled stream, a hedge that lost, a timeout).
 */
export type UsageBasis = "reported" | "bounded" | "estimated";

/** What the model answered: text, tool calls, a refusal, and reasoning to send back in the next turn. */
export interface Answer {
  /** The text (empty in the summary of a stream, whose text went out as deltas). */
  readonly text: string;
  readonly toolCalls: readonly ToolCall[];
  readonly refusal: string | undefined;
  readonly reasoning: readonly ReasoningBlock[];
  readonly finishReason: FinishReason;
  readonly responseModel: string | undefined;
}

/** What every served request tells: who served it, its usage, its cost and every attempt. */
export interface ServedOutcome {
  readonly requestId: string;
  readonly model: string;
  readonly provider: string;
  readonly responseModel: string | undefined;
  readonly route: string | undefined;
  /** Usage of the serving attempt as the provider reported it (bounded when implausible; unreported counts absent). */
  readonly usage: Usage;
  /** Cost of every attempt of the request. */
  readonly costPicos: bigint;
  readonly attempts: readonly AttemptRecord[];
}

/** A finished completion. */
export interface CompletionOutcome extends ServedOutcome {
  readonly text: string;
  readonly toolCalls: readonly ToolCall[];
  readonly refusal: string | undefined;
  readonly reasoning: readonly ReasoningBlock[];
  readonly finishReason: FinishReason;
}

/** One message of a streamed completion. */
export type GatewayStreamEvent =
  | { readonly type: "delta"; readonly text: string }
  | { readonly type: "tool_call"; readonly delta: ToolCallDelta }
  | { readonly type: "reasoning"; readonly text: string }
  /** A reasoning block complete with its state to send back, when the provider finished it (the summary repeats it). */
  | { readonly type: "reasoning_block"; readonly block: ReasoningBlock }
  | { readonly type: "done"; readonly outcome: CompletionOutcome };

/** The gateway's closed set of failure codes; the service maps them to gRPC status codes. */
export type GatewayErrorCode =
  | "invalid_argument"
  | "not_found"
  | "permission_denied"
  | "unauthenticated"
  | "resource_exhausted"
  | "unavailable"
  | "deadline_exceeded"
  | "cancelled"
  | "failed_precondition"
  | "internal";

/** A request the gateway could not serve, with every attempt it made. */
export class GatewayError extends Error {
  override readonly name = "GatewayError";
  readonly code: GatewayErrorCode;
  readonly attempts: readonly AttemptRecord[];
  /** Why admission refused the request before any planning (for the ledger row), when it did. */
  readonly refusal: string | undefined;
  /** For RESOURCE_EXHAUSTED: how long until a rate-limited candidate may be called again, ms (a Retry-After for the edge). */
  readonly retryAfterMs: number | undefined;

  constructor(code: GatewayErrorCode, message: string, attempts: readonly AttemptRecord[] = [], refusal?: string, retryAfterMs?: number) {
    super(message);
    this.code = code;
    this.attempts = attempts;
    this.refusal = refusal;
    this.retryAfterMs = retryAfterMs;
  }
}

/** A deployment's health as the balancer sees it. */
export type ModelHealth = "healthy" | "probing" | "unhealthy" | "cooling_down";

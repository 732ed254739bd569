/**
 * The facts of a provider attempt, declared once. The core's lifecycle events are these shapes (its AttemptInfo
 * extends AttemptStartFacts with its own narrower types; its AttemptRecord and AttemptClose fit the end facts), so
 * telemetry reads what the core hands over as it is, without a copy per attempt. Nothing here imports the core.
 */

/** A chat message, as content capture records it. */
export interface MessageFacts {
  readonly role: string;
  readonly content: string;
}

/** What is known when an attempt starts. */
export interface AttemptStartFacts {
  /** The request: its id, prompt and parameters (the prompt is recorded only when content capture is on). */
  readonly request: {
    readonly requestId: string;
    /** The GenAI operation: "chat" (also when absent) or "embeddings". */
    readonly operation?: string | undefined;
    readonly chat: {
      readonly messages: readonly MessageFacts[];
      readonly params: { readonly maxTokens?: number | undefined; readonly temperature?: number | undefined };
    };
  };
  /** The request's tracing context, opaque to the core (an OpenTelemetry Context when tracing is on). */
  readonly trace: unknown;
  /** 1 for the first attempt of the request. */
  readonly number: number;
  /** The deployment: its catalogue name, its provider's name and the model name the provider knows. */
  readonly model: { readonly name: string; readonly provider: string; readonly upstreamModel: string };
  /** The provider's host (server.address). */
  readonly providerHost: string;
  readonly route: string | undefined;
  readonly strategy: string | undefined;
  /** Started while an earlier attempt was still running. */
  readonly hedge: boolean;
  /** A move to another deployment (another model) after the attempt that failed last; never a hedge. */
  readonly failover: boolean;
  /** Another call of the same deployment after its own failure (the attempt that failed last); never a hedge. */
  readonly retry: boolean;
  readonly streamed: boolean;
  readonly breakerState: string;
}

/** What is known when an attempt ends (the core's AttemptRecord has these fields and more). */
export interface AttemptEndFacts {
  readonly outcome: "succeeded" | "failed" | "aborted";
  readonly errorKind: string | undefined;
  /** The accounted token counts (see usageBasis); absent means unknown. */
  readonly usage: { readonly inputTokens?: number | undefined; readonly outputTokens?: number | undefined; readonly cachedInputTokens?: number | undefined };
  readonly usageUnknown: boolean;
  /** Where `usage` comes from: the provider's report, a bound on it, or the gateway's estimate. */
  readonly usageBasis: "reported" | "bounded" | "estimated";
  readonly costPicos: bigint;
  readonly ttftMs: number | undefined;
  readonly latencyMs: number;
}

/** What the provider's answer adds when an attempt closes. */
export interface AttemptCloseFacts {
  readonly finishReason: string | undefined;
  readonly responseModel: string | undefined;
  /** The answer, recorded only when content capture is on. */
  readonly output?: string | undefined;
}

/** The validated, immutable configuration snapshot every component is built from. */
import type { AuthConfig, TlsConfig } from "./auth.js";
import type { BoundsConfig } from "./bounds.js";
import type { EdgeConfig } from "./edge.js";
import type { Secret } from "./secret.js";
import type { PoolConfig } from "./pool.js";
import type { EmbeddingSpec } from "./embedding.js";
import type { PostgresLedgerConfig } from "./ledger-url.js";
import type { StateConfig } from "./state.js";

/** The wire formats the gateway speaks. */
export type ProviderKind = "openai" | "anthropic" | "gemini";

/** The body field an OpenAI-kind provider takes the output token limit in. */
export type MaxTokensField = "max_tokens" | "max_completion_tokens";

/** All max-tokens fields, the default first. */
export const MAX_TOKENS_FIELDS: readonly MaxTokensField[] = ["max_tokens", "max_completion_tokens"];

/** The hardest complexity a model is meant for, from weakest to strongest. */
export type Tier = "simple" | "medium" | "complex";

/** All tiers in ascending order of strength. */
export const TIERS: readonly Tier[] = ["simple", "medium", "complex"];

/** How a route orders its models. */
export type Strategy = "ordered" | "weighted" | "cost" | "latency" | "complexity";

/** All strategies. */
export const STRATEGIES: readonly Strategy[] = ["ordered", "weighted", "cost", "latency", "complexity"];

/** Timeouts of one provider's HTTP calls, in milliseconds. */
export interface TimeoutsConfig {
  /** TCP (and TLS) connect. */
  readonly connectMs: number;
  /** From sending the request to the response headers. */
  readonly firstByteMs: number;
  /** Longest silence between two body chunks (stream events). */
  readonly idleMs: number;
  /** A whole attempt, first byte to last. */
  readonly totalMs: number;
}

/** One upstream provider endpoint. */
export interface ProviderConfig {
  readonly name: string;
  readonly kind: ProviderKind;
  /** Base URL without a trailing slash, e.g. https://api.openai.com/v1. */
  readonly baseUrl: string;
  /** The API key, when the endpoint needs one. */
  readonly apiKey: Secret | undefined;
  readonly timeouts: TimeoutsConfig;
  /** Keep-alive connections per origin. */
  readonly maxConnections: number;
  /** Bounds on calls in flight plus queued for the pool (absent: `defaultPool(maxConnections)`). */
  readonly pool?: PoolConfig;
  /** Kind openai only: newer OpenAI models take max_completion_tokens; absent means max_tokens. */
  readonly maxTokensField?: MaxTokensField;
}

/** A model's prices in pico-dollars (1e-12 USD) per token: exact integers. */
export interface PricingConfig {
  readonly inputPerToken: bigint;
  readonly outputPerToken: bigint;
  readonly cachedInputPerToken: bigint;
  readonly cacheWritePerToken: bigint;
  /** The day the prices were taken, YYYY-MM-DD, when given. */
  readonly priceDate: string | undefined;
}

/** What a model can do beyond plain text chat; a request needing more skips the model. */
export type Capability = "tools" | "json_schema" | "images" | "reasoning";

/** All capabilities, in the order they are listed. */
export const CAPABILITIES: readonly Capability[] = ["tools", "json_schema", "images", "reasoning"];

/** One model of the catalogue: a deployment of an upstream model at one provider. */
export interface ModelConfig {
  readonly name: string;
  readonly provider: string;
  readonly upstreamModel: string;
  readonly pricing: PricingConfig;
  readonly weight: number;
  readonly tier: Tier;
  /** Context window in tokens; undefined when not configured (no check is made). */
  readonly contextWindow: number | undefined;
  /** max_tokens sent when the client gives none and the wire format requires one. */
  readonly defaultMaxTokens: number;
  /** Requests per minute this deployment may take; undefined for no limit. */
  readonly rpm: number | undefined;
  /** Tokens per minute this deployment may take; undefined for no limit. */
  readonly tpm: number | undefined;
  /** Models to fall back to when a request names this model directly. */
  readonly fallbacks: readonly string[];
  /** What the model can do (the config's `capabilities` over the defaults of its provider's kind). */
  readonly capabilities: ReadonlySet<Capability>;
  /** Set for an embedding model (`kind: embedding`, src/config/embedding.ts); absent for a chat model. */
  readonly embedding?: EmbeddingSpec;
}

/** Hedging of a route: a second request when the first is slow to its first token. */
export interface HedgeConfig {
  /** Fixed delay in ms, or "p95" for the model's recent p95 time to first token. */
  readonly delay: number | "p95";
  /** Delay used for "p95" while the model has too few latency samples, ms. */
  readonly fallbackDelayMs: number;
}

/** A name clients use in place of a model, with a strategy to order its models. */
export interface RouteConfig {
  readonly name: string;
  readonly strategy: Strategy;
  readonly models: readonly string[];
  readonly hedge: HedgeConfig | undefined;
}

/** The attempt loop's limits. */
export interface FailoverConfig {
  readonly maxAttempts: number;
  /** Total deadline of a request when the client sets none, ms. */
  readonly deadlineMs: number;
  /** A stream that sends no first token within this fails over, ms. */
  readonly firstTokenTimeoutMs: number;
  /** Exponential backoff before retrying the same deployment. */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** Cooldown after a 429 without Retry-After, ms. */
  readonly rateLimitCooldownMs: number;
  /** Cooldown after a quota / billing failure (insufficient_quota, 402), ms. */
  readonly quotaCooldownMs: number;
  /** The longest a provider's Retry-After is honoured (retry time and cooldown), ms. */
  readonly maxRetryAfterMs: number;
  /** Longest a unary attempt may take (capped by the request deadline), ms. */
  readonly attemptTimeoutMs: number;
  /** A committed stream that sends nothing for this long ends with UNAVAILABLE, ms. */
  readonly streamIdleMs: number;
  /** Longest the loop waits for a cooling, open or backing-off deployment to become ready, ms. */
  readonly maxWaitMs: number;
  /** Retries of a deployment may be at most this fraction of its first calls in the budget window. */
  readonly retryBudgetRatio: number;
  /** Retries of a deployment allowed per budget window whatever the ratio says (a floor for little traffic). */
  readonly retryBudgetMin: number;
  /** The sliding window the retry budget counts calls over, ms. */
  readonly retryBudgetWindowMs: number;
}

/** Circuit breaker thresholds. */
export interface BreakerConfig {
  readonly consecutiveFailures: number;
  readonly errorRate: number;
  readonly windowMs: number;
  readonly minRequests: number;
  /** The longest an open breaker stays open, ms (the cap of the doubling cooldown). */
  readonly cooldownMs: number;
  /** How long a breaker first stays open, ms; doubled after each failed probe up to cooldownMs. */
  readonly initialCooldownMs: number;
  /** When every candidate of a request is ejected, the least bad still serves if its recent error rate is below this (0: never). */
  readonly panicBelowErrorRate: number;
}

/** Where the usage ledger lives. */
export interface LedgerConfig {
  /** SQLite file path; ":memory:" for none. */
  readonly path: string;
  readonly retentionDays: number;
  /**
   * The spill journal, where rows go while the ledger cannot write (best on another disk); default the ledger's
   * path plus ".spill"; none for a ":memory:" ledger.
   */
  readonly spillPath: string | undefined;
  /** The shared ledger of several replicas (`ledger.url`); when set, `path` is not the ledger (see ledger-url.ts). */
  readonly postgres: PostgresLedgerConfig | undefined;
}

/** The whole configuration. */
export interface GatewayConfig {
  readonly listen: { readonly host: string; readonly port: number };
  readonly providers: ReadonlyMap<string, ProviderConfig>;
  readonly models: ReadonlyMap<string, ModelConfig>;
  readonly routes: ReadonlyMap<string, RouteConfig>;
  readonly failover: FailoverConfig;
  readonly breaker: BreakerConfig;
  readonly ledger: LedgerConfig;
  /** How long in-flight calls may run after SIGTERM, ms. */
  readonly shutdownGraceMs: number;
  /** Largest request message the server accepts, bytes. */
  readonly maxRequestBytes: number;
  /** Byte bounds of provider events and bodies and of answers (src/config/bounds.ts). */
  readonly bounds: BoundsConfig;
  /** True when this is the embedded demo backed by simulated providers. */
  readonly demo: boolean;
  /** Client keys; `enabled: false` only for local development. */
  readonly auth: AuthConfig;
  /** TLS for the listener; cleartext when absent. */
  readonly tls: TlsConfig | undefined;
  /** The client connection bounds (server.limits). */
  readonly edge: EdgeConfig;
  /** Where the state replicas share lives: in process, or Redis (src/config/state.ts). */
  readonly state: StateConfig;
}

/** Attribute and metric names: OpenTelemetry GenAI semantic conventions, and the gateway's own. */

/** GenAI semantic-convention attribute names. */
export const GEN_AI = {
  operationName: "gen_ai.operation.name",
  providerName: "gen_ai.provider.name",
  requestModel: "gen_ai.request.model",
  responseModel: "gen_ai.response.model",
  requestMaxTokens: "gen_ai.request.max_tokens",
  requestTemperature: "gen_ai.request.temperature",
  usageInputTokens: "gen_ai.usage.input_tokens",
  usageOutputTokens: "gen_ai.usage.output_tokens",
  responseFinishReasons: "gen_ai.response.finish_reasons",
  tokenType: "gen_ai.token.type",
  inputMessages: "gen_ai.input.messages",
  outputMessages: "gen_ai.output.messages",
} as const;

/** General semantic-convention attribute names. */
export const GENERAL = {
  serverAddress: "server.address",
  errorType: "error.type",
  rpcSystem: "rpc.system",
  rpcService: "rpc.service",
  rpcMethod: "rpc.method",
  rpcGrpcStatusCode: "rpc.grpc.status_code",
  httpRoute: "http.route",
} as const;

/** The gateway's own attribute names. */
export const GATEWAY = {
  provider: "llmgateway.provider",
  model: "llmgateway.model",
  attempt: "llmgateway.attempt.number",
  route: "llmgateway.route",
  strategy: "llmgateway.strategy",
  costUsd: "llmgateway.cost.usd",
  costPicoUsd: "llmgateway.cost.pico_usd",
  ttftMs: "llmgateway.time_to_first_token_ms",
  breakerState: "llmgateway.breaker.state",
  hedge: "llmgateway.hedge",
  failover: "llmgateway.failover",
  retry: "llmgateway.retry",
  outcome: "llmgateway.outcome",
  streamed: "llmgateway.streamed",
  requestId: "llmgateway.request_id",
  usageCachedInputTokens: "llmgateway.usage.cached_input_tokens",
  usageUnknown: "llmgateway.usage.unknown",
  usageBasis: "llmgateway.usage.basis",
  fromModel: "llmgateway.failover.from_model",
  toModel: "llmgateway.failover.to_model",
  reason: "llmgateway.failover.reason",
  candidates: "llmgateway.candidates",
  tooSmall: "llmgateway.candidates.context_too_small",
} as const;

/** Metric names. */
export const METRICS = {
  tokenUsage: "gen_ai.client.token.usage",
  operationDuration: "gen_ai.client.operation.duration",
  requests: "llmgateway.requests",
  failovers: "llmgateway.failovers",
  retries: "llmgateway.retries",
  hedges: "llmgateway.hedges",
  cost: "llmgateway.cost",
  overhead: "llmgateway.overhead.duration",
  breakerState: "llmgateway.breaker.state",
  ledgerState: "llmgateway.ledger.state",
  sharedStateUp: "llmgateway.shared_state.up",
  sharedStateReplicas: "llmgateway.shared_state.replicas",
  sharedStateFallbacks: "llmgateway.shared_state.fallbacks",
  queueRefused: "llmgateway.provider.queue.refused",
  connectionsOpen: "llmgateway.server.connections.open",
  connectionsRefused: "llmgateway.server.connections.refused",
  edgeTimeouts: "llmgateway.server.timeouts",
} as const;

/**
 * Bucket boundaries of `gen_ai.client.operation.duration`, seconds, as the GenAI semantic conventions advise
 * (the SDK's default buckets, 0, 5, 10, 25 ..., would put nearly every call in one bucket).
 */
export const OPERATION_DURATION_BUCKETS: readonly number[] = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

/** Bucket boundaries of `gen_ai.client.token.usage`, tokens, as the GenAI semantic conventions advise (powers of 4). */
export const TOKEN_USAGE_BUCKETS: readonly number[] = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

/** `gen_ai.provider.name` for a wire format kind (semantic-convention well-known values). */
export const PROVIDER_NAME: Readonly<Record<string, string>> = { openai: "openai", anthropic: "anthropic", gemini: "gcp.gemini" };

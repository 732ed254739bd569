/** Composition of the shared state: in process (the default, or each worker's share), or Redis (`state.redis`). */
import type { GatewayConfig } from "../config/schema.js";
import { LocalSharedState } from "../gateway/shared/local-state.js";
import { createRedisState } from "../gateway/shared/redis/redis-state.js";
import type { Logger } from "../telemetry/log.js";
import type { StateFactory } from "./accounting.js";
import { systemClock } from "./system.js";

/** The health service that says whether the shared state answers (SERVING) or the fallbacks are in force (NOT_SERVING). */
export const STATE_HEALTH_SERVICE = "llmgateway.state";

/**
 * The shared state a config asks for. `workers` is the size of this process's group: without Redis each worker
 * enforces its share of every limit; with Redis it is the replica count assumed until heartbeats are counted.
 */
export function stateFactory(config: GatewayConfig, log: Logger, workers: number): StateFactory {
  const url = config.state.redis;
  if (url === undefined) return (spend) => new LocalSharedState(spend, () => systemClock.now(), workers);
  return (spend) => createRedisState({ url: url.reveal(), keyPrefix: config.state.keyPrefix, commandTimeoutMs: config.state.timeoutMs, spend, log, replicasHint: workers });
}

/**
 * The shared state of several replicas in one Redis (`state.redis`): key limits, budgets, deployment limits and
 * cooldowns, each behind the SharedState seam. Redis down or slow never crashes a request nor holds it past the
 * command timeout: limits fall back to this replica's share, budgets refuse (StateUnavailableError); the outage is
 * logged once, counted, told to onChange listeners, and ends by itself when Redis answers again.
 */
import { performance } from "node:perf_hooks";
import type { AggregateSource } from "../../../accounting/report/report.js";
import type { Logger } from "../../../telemetry/log.js";
import type { SharedBudgets, SharedState } from "../shared-state.js";
import { RedisBudgets } from "./budgets.js";
import { RedisDeployments } from "./deployments.js";
import { RedisKeys } from "./keys.js";
import { Link } from "./link.js";

/** How a Redis state is set up. */
export interface RedisStateOptions {
  /** redis://[user:password@]host:port/db (never logged with its password). */
  readonly url: string;
  /** Prefix of every key and channel (default "llmgw:"). */
  readonly keyPrefix?: string;
  /** Longest a command may take before the caller falls back, ms (default 250). */
  readonly commandTimeoutMs?: number;
  /** The ledger: this month's spend seeds the budget counters. */
  readonly spend: AggregateSource;
  readonly log: Logger;
  /** Replicas assumed for the local share before any heartbeat was counted (default 1). */
  readonly replicasHint?: number;
  /** Heartbeat period, ms (default 2,000; a replica counts as alive for three periods). */
  readonly heartbeatMs?: number;
  /** Longest the ledger may take to answer this month's spend when seeding, ms (default 2,000). */
  readonly seedTimeoutMs?: number;
  /** Monotonic ms (default performance.now). */
  readonly clock?: () => number;
  /** Epoch ms (default Date.now). */
  readonly wallClock?: () => number;
}

/** The health of the shared state, for metrics and the health service. */
export interface RedisStatus {
  readonly up: boolean;
  /** Live replicas last counted (this one included). */
  readonly replicas: number;
  /** Answers given without Redis: key and deployment limits from the local share, budgets refused. */
  readonly fallbacks: { readonly keys: number; readonly budgets: number; readonly deployments: number };
  /** Fire-and-forget writes (settle, release, add, hint, cooldown) Redis did not take. */
  readonly failedWrites: number;
}

/** Shared state in Redis. */
export interface RedisState extends SharedState {
  /** Up or down, replicas, fallback counts. */
  status(): RedisStatus;
  /** Hears every change of `up`; returns the removal of the listener. */
  onChange(listener: (up: boolean) => void): () => void;
  /** Resolves once the first connection attempt is decided: true when Redis answered. */
  started(): Promise<boolean>;
}

/** Connects to Redis (in the background: until it answers, limits use the local share and budgets refuse). */
export function createRedisState(options: RedisStateOptions): RedisState {
  const link = new Link({
    url: options.url,
    keyPrefix: options.keyPrefix ?? "llmgw:",
    commandTimeoutMs: options.commandTimeoutMs ?? 250,
    log: options.log,
    replicasHint: options.replicasHint,
    heartbeatMs: options.heartbeatMs,
  });
  const clock = options.clock ?? (() => performance.now());
  const keys = new RedisKeys(link);
  const deployments = new RedisDeployments(link, clock);
  const budgets = new RedisBudgets(link, options.spend, options.wallClock ?? Date.now, options.seedTimeoutMs ?? 2_000);
  const status = (): RedisStatus => ({ up: link.up, replicas: link.replicas, fallbacks: { keys: link.counts.keys, budgets: link.counts.budgets, deployments: link.counts.deployments }, failedWrites: link.counts.failedWrites });
  const onChange = (listener: (up: boolean) => void): (() => void) => link.onChange(listener);
  return {
    keys,
    deployments,
    budgets: (limits): Promise<SharedBudgets> => Promise.resolve(budgets.view(limits)),
    status,
    onChange,
    health: { status, onChange },
    started: () => link.started(),
    close: async () => {
      deployments.close();
      await link.close();
    },
  };
}

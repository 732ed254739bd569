/** What the shared-state tests need: replicas over one Redis, a fake ledger, captured logs, keys and models. */
import type { AggregateQuery, GroupAggregate } from "../../src/accounting/ledger/ledger-store.js";
import type { AggregateSource } from "../../src/accounting/report/report.js";
import type { ClientKeyConfig } from "../../src/config/auth.js";
import type { ModelConfig } from "../../src/config/schema.js";
import type { RedisState, RedisStateOptions } from "../../src/gateway/shared/redis/redis-state.js";
import { createRedisState } from "../../src/gateway/shared/redis/redis-state.js";
import type { Logger, LogLevel } from "../../src/telemetry/log.js";

/** A logged line. */
export interface LogEntry {
  readonly level: LogLevel;
  readonly msg: string;
  readonly fields: Record<string, unknown> | undefined;
}

/** A logger that keeps what it is told. */
export function captureLog(): Logger & { readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return { entries, log: (level, msg, fields) => void entries.push({ level, msg, fields }) };
}

/** Spend a fake ledger answers: per scope kind, the cost of this month; counts its calls. */
export class FakeSpend implements AggregateSource {
  global = 0n;
  readonly keys = new Map<string, bigint>();
  readonly tags = new Map<string, Map<string, bigint>>();
  calls = 0;
  delayMs = 0;

  /** Answers the month-spend queries of monthSpend (grouped by nothing, client_key or tag). */
  async aggregate(query: AggregateQuery): Promise<readonly GroupAggregate[]> {
    this.calls++;
    if (this.delayMs > 0) await sleep(this.delayMs);
    const [dim] = query.groupBy;
    if (dim === undefined) return [group([], this.global)];
    if (dim === "client_key") return [...this.keys].map(([k, v]) => group([k], v));
    if (dim === "tag") return [...(this.tags.get(query.tagKey ?? "") ?? new Map<string, bigint>())].map(([k, v]) => group([k], v));
    return [];
  }
}

function group(key: readonly string[], costPicos: bigint): GroupAggregate {
  return {
    key, requests: 0n, successes: 0n, failures: 0n, attempts: 0n, failovers: 0n, retries: 0n, hedges: 0n, inputTokens: 0n, outputTokens: 0n,
    cachedInputTokens: 0n, cacheWriteTokens: 0n, uncachedInputTokens: 0n, unknownUsageAttempts: 0n, costPicos, estimatedUsageAttempts: 0n,
    estimatedCostPicos: 0n, boundedUsageAttempts: 0n, latency: [], ttft: [],
  };
}

/** `n` replicas' states over the Redis at `url`, each connected (and counted by the others). */
export async function replicas(n: number, url: string, over: Partial<RedisStateOptions> = {}): Promise<{ states: RedisState[]; logs: ReturnType<typeof captureLog>[] }> {
  const logs = Array.from({ length: n }, () => captureLog());
  const states = logs.map((log) => createRedisState({ url, spend: new FakeSpend(), log, commandTimeoutMs: 200, heartbeatMs: 200, ...over }));
  const up = await Promise.all(states.map((s) => s.started()));
  if (!up.every(Boolean)) throw new Error("a replica did not connect");
  await waitFor(() => states.every((s) => s.status().replicas === n), 3_000);
  return { states, logs };
}

/** A client key with these limits. */
export function clientKey(id: string, rpm: number | undefined, tpm?: number): ClientKeyConfig {
  return { id, sha256: Buffer.alloc(32), role: "user", allow: undefined, rpm, tpm, monthlyBudgetPicos: undefined, tags: {} };
}

/** A deployment with these limits. */
export function model(name: string, rpm: number | undefined, tpm?: number): ModelConfig {
  return {
    name, provider: "p", upstreamModel: name, weight: 1, tier: "medium", contextWindow: undefined, defaultMaxTokens: 1024, rpm, tpm, fallbacks: [], capabilities: new Set(),
    pricing: { inputPerToken: 1n, outputPerToken: 1n, cachedInputPerToken: 1n, cacheWritePerToken: 1n, priceDate: undefined },
  };
}

/** Waits until `cond` holds, polling every 20 ms; throws after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

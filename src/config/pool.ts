/**
 * Overload bounds of one provider's connection pool: how many calls may be in flight plus queued for a
 * connection, in all and per upstream model. Past a bound a call is refused at once, never queued.
 */
import type { Reader } from "./reader.js";

/** The admission bounds of one provider pool. */
export interface PoolConfig {
  /** Calls that may wait for a connection when all `maxConnections` are busy (in flight + queued ≤ connections + this). */
  readonly maxQueued: number;
  /** Calls (in flight + queued) one upstream model may hold on the pool; below maxConnections it keeps connections for the others. */
  readonly maxPerModel: number;
}

/** The keys of `providers.NAME` this file reads. */
export const POOL_KEYS: readonly string[] = ["maxQueued", "maxPerModel"];

/** The bounds when none are configured: a queue as long as the pool, and no per-model share. */
export function defaultPool(maxConnections: number): PoolConfig {
  return { maxQueued: maxConnections, maxPerModel: 2 * maxConnections };
}

/** Reads `providers.NAME.maxQueued` and `.maxPerModel` from the provider's map `raw` at `path`. */
export function readPool(r: Reader, raw: Record<string, unknown>, path: string, maxConnections: number): PoolConfig {
  const fallback = defaultPool(maxConnections);
  const maxQueued = r.number(raw, path, "maxQueued", { integer: true, min: 0, max: 1_000_000, fallback: fallback.maxQueued });
  const total = maxConnections + maxQueued;
  const maxPerModel = r.number(raw, path, "maxPerModel", { integer: true, min: 1, max: 1_000_000, fallback: total });
  return { maxQueued, maxPerModel: Math.min(maxPerModel, total) };
}

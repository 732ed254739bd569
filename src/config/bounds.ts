/**
 * Byte bounds of what the gateway takes from providers and sends to clients: one SSE event, one unary body, and
 * one answer message. Read from the `server` section, next to its `maxRequestBytes`.
 */
import type { Reader } from "./reader.js";

/** The byte bounds of a call's provider side and of its answer. */
export interface BoundsConfig {
  /** Largest answer message sent to a client, bytes (the common gRPC client receive limit); larger: RESOURCE_EXHAUSTED. */
  readonly maxResponseBytes: number;
  /** Largest single SSE event a provider may send, bytes; larger fails the attempt as an invalid response. */
  readonly maxProviderEventBytes: number;
  /** Largest unary response body a provider may send, bytes; larger fails the attempt as an invalid response. */
  readonly maxProviderBodyBytes: number;
}

/** The defaults: 4 MiB answers, 1 MiB provider events, 16 MiB provider bodies. */
export const DEFAULT_BOUNDS: BoundsConfig = { maxResponseBytes: 4 << 20, maxProviderEventBytes: 1 << 20, maxProviderBodyBytes: 16 << 20 };

/** The keys of the `server` section this file reads. */
export const BOUNDS_KEYS: readonly string[] = ["maxResponseBytes", "maxProviderEventBytes", "maxProviderBodyBytes"];

/** Reads the bounds from the `server` section (`raw`), with defaults and path-qualified errors. */
export function readBounds(r: Reader, raw: Record<string, unknown>): BoundsConfig {
  const d = DEFAULT_BOUNDS;
  return {
    maxResponseBytes: r.number(raw, "server", "maxResponseBytes", { integer: true, min: 64 << 10, max: 1 << 30, fallback: d.maxResponseBytes }),
    maxProviderEventBytes: r.number(raw, "server", "maxProviderEventBytes", { integer: true, min: 64 << 10, max: 256 << 20, fallback: d.maxProviderEventBytes }),
    maxProviderBodyBytes: r.number(raw, "server", "maxProviderBodyBytes", { integer: true, min: 64 << 10, max: 1 << 30, fallback: d.maxProviderBodyBytes }),
  };
}

/** Hedging: how long to wait for a first answer before sending the same request to the next candidate. Pure. */
import type { HedgeConfig } from "../../config/schema.js";
import type { LatencyStats } from "../health/latency-stats.js";

/** The hedge delay for a model: fixed, or its recent p95 (first token for streams, answer for unary), ms. */
export function hedgeDelayMs(hedge: HedgeConfig, stats: LatencyStats | undefined, stream: boolean): number {
  if (hedge.delay !== "p95") return hedge.delay;
  return Math.max(1, Math.ceil(stats?.p95(stream) ?? hedge.fallbackDelayMs));
}

/** Milliseconds left before a hedge is due for an attempt started at `startedMono`; 0 when due. */
export function hedgeDueIn(delayMs: number, startedMono: number, now: number): number {
  return Math.max(0, startedMono + delayMs - now);
}

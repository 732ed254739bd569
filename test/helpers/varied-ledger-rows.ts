/**
 * Varied ledger rows from a seed, for store conformance tests and benchmarks: every field takes each of its kinds of
 * values (unknown and known usage, cache reads and writes, every usage basis, refusals, failovers, retries, hedges,
 * streamed requests with and without a first token, both operations, missing keys and routes, zero to two tags).
 */
import type { LedgerRecord } from "../../src/accounting/ledger/ledger-record.js";
import { newRowUid } from "../../src/accounting/ledger/ledger-record.js";

import { seededRandom } from "../../src/sim/profile.js";

/** A small seeded generator (the simulator's mulberry32): the same seed gives the same rows. */
export const seeded = seededRandom;

/** The rows of `requests` requests from `startMs`, spread over `spanMs` (each request 1 to 3 attempts, or a refusal). */
export function variedRows(seed: number, requests: number, startMs: number, spanMs: number): LedgerRecord[] {
  const rand = seeded(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rand() * values.length)] as T;
  const maybe = (p: number): boolean => rand() < p;
  const rows: LedgerRecord[] = [];
  for (let i = 0; i < requests; i++) {
    const t = startMs + Math.floor(rand() * spanMs);
    const clientKey = pick([undefined, "", "alpha", "beta", "gamma"]);
    const tags = pick<Record<string, string>>([{}, { team: "x" }, { team: "y" }, { team: "x", env: "prod" }, { env: "dev" }]);
    const route = pick([undefined, "", "fast", "cheap"]);
    const streamed = maybe(0.4);
    const operation = maybe(0.2) ? ("embeddings" as const) : undefined;
    const base = { requestId: `req-${seed}-${i}`, clientKey, tags, route, streamed, ...(operation ? { operation } : {}) };
    if (maybe(0.08)) {
      rows.push({
        ...base, uid: newRowUid(t), timeMs: t, model: pick(["m1", "route-x", ""]), provider: "", inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0,
        usageUnknown: false, usageBasis: "reported", costPicos: 0n, latencyMs: 0, ttftMs: undefined, outcome: "failed", attempt: 0, failover: false, retry: false,
        hedge: false, errorKind: "budget_exceeded", request: { outcome: "failed", latencyMs: 0, ttftMs: undefined },
      });
      continue;
    }
    const attempts = 1 + Math.floor(rand() * rand() * 3);
    const outcome = pick(["succeeded", "succeeded", "succeeded", "failed", "cancelled"] as const);
    let at = t;
    let model = pick(["m1", "m2", "m3"]);
    for (let n = 1; n <= attempts; n++) {
      const last = n === attempts;
      const moved = n > 1 && maybe(0.5);
      const hedge = n > 1 && !moved && maybe(0.3);
      if (moved) model = pick(["m1", "m2", "m3"]);
      const known = maybe(0.85);
      const input = known ? Math.floor(rand() * 5_000) : undefined;
      const basis = pick(["reported", "reported", "reported", "bounded", "estimated"] as const);
      const latency = rand() < 0.1 ? rand() * 3 : rand() * rand() * 90_000;
      const ttft = streamed && maybe(0.8) ? latency * rand() : undefined;
      rows.push({
        ...base, uid: newRowUid(at), timeMs: at, model, provider: model === "m3" ? "q" : "p",
        inputTokens: input, outputTokens: known ? Math.floor(rand() * 2_000) : maybe(0.5) ? 7 : undefined,
        cachedInputTokens: input !== undefined && maybe(0.4) ? Math.floor(input * rand() * 1.2) : undefined,
        cacheWriteTokens: input !== undefined && maybe(0.2) ? Math.floor(rand() * 900) : undefined,
        usageUnknown: !known, usageBasis: basis, costPicos: maybe(0.02) ? 9_000_000_000_000_000_000n : BigInt(Math.floor(rand() * 1e12)),
        latencyMs: latency, ttftMs: ttft, outcome: last ? (outcome === "cancelled" ? "aborted" : outcome) : "failed", attempt: n,
        failover: moved, retry: n > 1 && !moved && !hedge, hedge, errorKind: last && outcome === "succeeded" ? undefined : "server_error",
        request: last ? { outcome, latencyMs: latency + rand() * 10, ttftMs: streamed && maybe(0.7) ? (ttft ?? 0) + rand() * 5 : undefined } : undefined,
      });
      at += Math.floor(latency);
    }
  }
  return rows;
}

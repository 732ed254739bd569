/**
 * Builds the ledger rows of one finished request from its attempts. Every attempt becomes a row
 * (also one that billed nothing: failovers, retries and hedges are counted per attempt), and the request's
 * facts go on the attempt that ended it: the one that answered, else the last one started.
 * Shapes are structural, so the gateway passes its own attempt records as they are.
 */
import type { LedgerAttemptOutcome, LedgerOperation, LedgerRecord, LedgerRequestOutcome, LedgerUsageBasis } from "./ledger-record.js";
import { newRowUid, refusalRecord } from "./ledger-record.js";

/** Token counts as a provider reported them; absent means unknown. */
export interface UsageCounts {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly cachedInputTokens?: number;
  readonly cacheWriteTokens?: number;
}

/** What the ledger needs of one attempt (a subset of the gateway's AttemptRecord). */
export interface AttemptFacts {
  readonly number: number;
  readonly model: string;
  readonly provider: string;
  readonly outcome: LedgerAttemptOutcome;
  readonly errorKind: string | undefined;
  /** Epoch ms. */
  readonly startedAt: number;
  readonly latencyMs: number;
  readonly ttftMs: number | undefined;
  readonly hedge: boolean;
  readonly failover: boolean;
  readonly retry: boolean;
  /** The accounted usage (see usageBasis). */
  readonly usage: UsageCounts;
  readonly costPicos: bigint;
  readonly usageUnknown: boolean;
  /** Where `usage` comes from: the provider's report, a bound on it, or the gateway's estimate. */
  readonly usageBasis: LedgerUsageBasis;
}

/** What the ledger needs of the request. */
export interface RequestFacts {
  readonly requestId: string;
  readonly clientKey: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly route: string | undefined;
  /** The model or route the client asked for: the model of the row of a request without attempts ("" when unknown). */
  readonly target: string;
  readonly streamed: boolean;
  /** Epoch ms the request arrived (the time of a refusal row). */
  readonly startedAt: number;
  readonly outcome: LedgerRequestOutcome;
  /** The whole request as its client saw it, ms. */
  readonly latencyMs: number;
  /** From the request's arrival to its first streamed token, ms. */
  readonly ttftMs: number | undefined;
  /** Why a request without attempts was refused, e.g. "budget_exceeded". */
  readonly refusal?: string;
  /** What the request asked for; absent: "chat" (chat rows carry no operation field). */
  readonly operation?: LedgerOperation;
}

/** The rows of a request: one per attempt, or a refusal row when no attempt was made. */
export function requestRows(req: RequestFacts, attempts: readonly AttemptFacts[]): LedgerRecord[] {
  if (attempts.length === 0) {
    return [refusalRecord({ ...req, timeMs: req.startedAt, reason: req.refusal ?? req.outcome })];
  }
  const winner = req.outcome === "succeeded" ? attempts.find((a) => a.outcome === "succeeded") : undefined;
  const final = winner ?? attempts.reduce((last, a) => (a.number > last.number ? a : last));
  return attempts.map((a) => ({
    uid: newRowUid(a.startedAt),
    timeMs: a.startedAt,
    requestId: req.requestId,
    clientKey: req.clientKey,
    tags: req.tags,
    route: req.route,
    model: a.model,
    provider: a.provider,
    inputTokens: a.usage.inputTokens,
    outputTokens: a.usage.outputTokens,
    cachedInputTokens: a.usage.cachedInputTokens,
    cacheWriteTokens: a.usage.cacheWriteTokens,
    usageUnknown: a.usageUnknown,
    usageBasis: a.usageBasis,
    costPicos: a.costPicos,
    latencyMs: a.latencyMs,
    ttftMs: a.ttftMs,
    outcome: a.outcome,
    attempt: a.number,
    failover: a.failover,
    retry: a.retry,
    hedge: a.hedge,
    streamed: req.streamed,
    errorKind: a.errorKind,
    request: a === final ? { outcome: req.outcome, latencyMs: req.latencyMs, ttftMs: req.ttftMs } : undefined,
    ...(req.operation === "embeddings" ? { operation: req.operation } : {}),
  }));
}

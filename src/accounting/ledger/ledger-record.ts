/**
 * The ledger's unit: one row per provider attempt the provider may bill, plus one row per request
 * refused before any attempt. Request-level facts live on the row that ended the request.
 */

import { randomBytes } from "node:crypto";

/** How an attempt ended. */
export type LedgerAttemptOutcome = "succeeded" | "failed" | "aborted";

/** How a request ended: answered, failed with an error, or cancelled by its client. */
export type LedgerRequestOutcome = "succeeded" | "failed" | "cancelled";

/**
 * Where a row's usage (and so its cost) comes from: the provider's report; a bound, when the report was beyond
 * what the request could have used (billed at the bound); or the gateway's estimate, when the provider reported
 * none for a call it may bill. Stored as 0, 1, 2 (see USAGE_BASIS_CODES); rows written before schema v3 read as "reported".
 */
export type LedgerUsageBasis = "reported" | "bounded" | "estimated";

/** What a row's request asked for: a chat completion or embeddings. Stored as 0, 1 (OPERATION_CODES); rows before schema v5 read as "chat". */
export type LedgerOperation = "chat" | "embeddings";

/** The stored code of each operation (the ledger's operation column). */
export const OPERATION_CODES: Readonly<Record<LedgerOperation, number>> = { chat: 0, embeddings: 1 };

/** The stored code of each usage basis (the ledger's usage_basis column). */
export const USAGE_BASIS_CODES: Readonly<Record<LedgerUsageBasis, number>> = { reported: 0, bounded: 1, estimated: 2 };

/** Request-level facts, carried only by the row of the attempt that ended the request. */
export interface RequestEnd {
  readonly outcome: LedgerRequestOutcome;
  /** Whole latency of the request as its client saw it (all attempts, waits and backoff), ms. */
  readonly latencyMs: number;
  /** Time from the request's start to its first streamed token, ms; undefined when none was sent. */
  readonly ttftMs: number | undefined;
}

/** Largest cost one row can hold: SQLite INTEGER is signed 64-bit, so about $9.22M per row. */
export const MAX_ROW_PICOS = (1n << 63n) - 1n;

/**
 * One ledger row. Token counts the provider did not report are undefined, never 0, and
 * `usageUnknown` says that input or output was not reported (the cost is then a lower bound).
 */
export interface LedgerRecord {
  /**
   * The row's own id, 32 lowercase hex digits (128 bits), made once when the row is created (see newRowUid): a row
   * written twice (a spilled batch replayed, a commit whose outcome was unknown and that was also spilled) is stored once.
   */
  readonly uid: string;
  /** When the attempt started, epoch ms (UTC; stored in whole ms). Report ranges and budget months use this. */
  readonly timeMs: number;
  readonly requestId: string;
  readonly clientKey: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly route: string | undefined;
  /** The catalogue model of the attempt; on a refusal row, the model or route the client asked for ("" when unknown). */
  readonly model: string;
  /** The provider of the attempt; "" on a refusal row. */
  readonly provider: string;
  /** Every input token, cached ones and cache writes included. */
  readonly inputTokens: number | undefined;
  readonly outputTokens: number | undefined;
  readonly cachedInputTokens: number | undefined;
  readonly cacheWriteTokens: number | undefined;
  readonly usageUnknown: boolean;
  /** Where the token counts and cost come from; a refusal row is "reported" (nothing to estimate). */
  readonly usageBasis: LedgerUsageBasis;
  /** Exact cost in pico-dollars, 0 <= cost <= MAX_ROW_PICOS. */
  readonly costPicos: bigint;
  /** The attempt's own latency, ms (rounded to whole ms when stored). */
  readonly latencyMs: number;
  /** The attempt's time to first token, ms; undefined when it sent none or was not streamed. */
  readonly ttftMs: number | undefined;
  readonly outcome: LedgerAttemptOutcome;
  /** 1 for the first attempt of a request; 0 on a refusal row. */
  readonly attempt: number;
  /** A move to another model after the attempt that failed last (rows before schema v2: see sqlite-schema.ts). */
  readonly failover: boolean;
  /** Another call of the same model after its own failure. A hedge is neither a failover nor a retry. */
  readonly retry: boolean;
  readonly hedge: boolean;
  readonly streamed: boolean;
  /** The closed error kind of a failed attempt, or the refusal reason ("budget_exceeded"). */
  readonly errorKind: string | undefined;
  /** Set on exactly one row per request: the attempt that ended it (or the refusal row). */
  readonly request: RequestEnd | undefined;
  /** What the request asked for; absent: "chat". */
  readonly operation?: LedgerOperation;
}

/** What a request refused before any provider call needs to be counted. */
export interface RefusalInput {
  readonly timeMs: number;
  readonly requestId: string;
  readonly clientKey: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly route: string | undefined;
  /** The model or route the client asked for: the row's model, so a refusal counts where the client aimed ("" when unknown). */
  readonly target: string;
  readonly reason: string;
  readonly streamed: boolean;
  /** What the request asked for; absent: "chat". */
  readonly operation?: LedgerOperation;
}

/** A row for a request refused before any attempt (e.g. over budget): no tokens, no cost, attempt 0. */
export function refusalRecord(input: RefusalInput): LedgerRecord {
  return {
    uid: newRowUid(input.timeMs),
    timeMs: input.timeMs,
    requestId: input.requestId,
    clientKey: input.clientKey,
    tags: input.tags,
    route: input.route,
    model: input.target,
    provider: "",
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    usageUnknown: false,
    usageBasis: "reported",
    costPicos: 0n,
    latencyMs: 0,
    ttftMs: undefined,
    outcome: "failed",
    attempt: 0,
    failover: false,
    retry: false,
    hedge: false,
    streamed: input.streamed,
    errorKind: input.reason,
    request: { outcome: "failed", latencyMs: 0, ttftMs: undefined },
    ...(input.operation === "embeddings" ? { operation: input.operation } : {}),
  };
}

/** Random bytes drawn 4 KiB at a time: one system call per 409 uids. */
let entropy: Buffer = Buffer.alloc(0);
let drawn = 0;
const uidBytes = Buffer.alloc(16);
const MAX_UID_TIME = 2 ** 48 - 1;

/**
 * A new row id: 32 hex digits, the row's time (48 bits of epoch ms) then 80 random bits (about 0.4 µs). The time
 * first keeps the ledger's uid index appended at its end: random ids cost the SQLite writer ten times more per row
 * once the index outgrows the page cache (measured: 5.7 µs a row without the index, 8.8 with it, 52 with random ids).
 */
export function newRowUid(timeMs: number): string {
  if (drawn + 10 > entropy.length) {
    entropy = randomBytes(4090);
    drawn = 0;
  }
  uidBytes.writeUIntBE(Number.isFinite(timeMs) ? Math.min(Math.max(Math.floor(timeMs), 0), MAX_UID_TIME) : 0, 0, 6);
  entropy.copy(uidBytes, 6, drawn, drawn + 10);
  drawn += 10;
  return uidBytes.toString("hex");
}

/** Why a row cannot be stored, or undefined when it is valid. Checked before a row joins a batch. */
export function recordProblem(r: LedgerRecord): string | undefined {
  if (!isDuration(r.timeMs) || r.timeMs > Number.MAX_SAFE_INTEGER) return "timeMs must be an epoch time in ms";
  if (r.requestId === "") return "requestId is empty";
  if (typeof r.uid !== "string" || !UID.test(r.uid)) return "uid must be 32 lowercase hex digits";
  if (r.costPicos < 0n || r.costPicos > MAX_ROW_PICOS) return "costPicos out of range";
  if (!Object.hasOwn(USAGE_BASIS_CODES, r.usageBasis)) return "usageBasis must be reported, bounded or estimated";
  if (r.operation !== undefined && !Object.hasOwn(OPERATION_CODES, r.operation)) return "operation must be chat or embeddings";
  for (const [name, v] of TOKEN_FIELDS.map((f) => [f, r[f]] as const)) {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) return `${name} must be a non-negative integer`;
  }
  if (!isDuration(r.latencyMs) || (r.ttftMs !== undefined && !isDuration(r.ttftMs))) return "latency must be finite and >= 0";
  if (!Number.isSafeInteger(r.attempt) || r.attempt < 0) return "attempt must be a non-negative integer";
  for (const key of Object.keys(r.tags)) if (key === "") return "a tag key is empty";
  const end = r.request;
  if (end && (!isDuration(end.latencyMs) || (end.ttftMs !== undefined && !isDuration(end.ttftMs)))) return "request latency must be finite and >= 0";
  return undefined;
}

const TOKEN_FIELDS = ["inputTokens", "outputTokens", "cachedInputTokens", "cacheWriteTokens"] as const;
const UID = /^[0-9a-f]{32}$/;

function isDuration(ms: number): boolean {
  return Number.isFinite(ms) && ms >= 0;
}

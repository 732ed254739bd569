/**
 * The spill journal's line format: one JSON object per batch, `{"v":1,"rows":[...]}` and a newline, each row with
 * every LedgerRecord field (undefined ones left out) and the cost as a decimal string (JSON has no 64-bit
 * integers). Decoding checks every field, as it reads a file that may have been cut or edited.
 */
import type { LedgerAttemptOutcome, LedgerOperation, LedgerRecord, LedgerRequestOutcome, LedgerUsageBasis, RequestEnd } from "./ledger-record.js";
import { recordProblem } from "./ledger-record.js";

/** The format version written on every line. */
export const SPILL_FORMAT = 1;

/** One batch as one line, ending in "\n". */
export function encodeBatch(rows: readonly LedgerRecord[]): string {
  return `${JSON.stringify({ v: SPILL_FORMAT, rows }, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value))}\n`;
}

/** The rows of one line (without its newline); throws when the line is not a whole, valid batch. */
export function decodeBatch(line: string): LedgerRecord[] {
  const batch: unknown = JSON.parse(line);
  if (!isObject(batch) || batch["v"] !== SPILL_FORMAT || !Array.isArray(batch["rows"])) throw new Error(`not a spilled batch of format ${SPILL_FORMAT}`);
  return batch["rows"].map((value: unknown, i: number) => {
    const row = decodeRecord(value);
    const problem = recordProblem(row);
    if (problem) throw new Error(`spilled row ${i}: ${problem}`);
    return row;
  });
}

type Json = Record<string, unknown>;

const USAGE_BASES: readonly LedgerUsageBasis[] = ["reported", "bounded", "estimated"];
const OPERATIONS: readonly LedgerOperation[] = ["chat", "embeddings"];
const ATTEMPT_OUTCOMES: readonly LedgerAttemptOutcome[] = ["succeeded", "failed", "aborted"];
const REQUEST_OUTCOMES: readonly LedgerRequestOutcome[] = ["succeeded", "failed", "cancelled"];

/** Every field by name: the object literal makes the compiler check that none is forgotten. */
function decodeRecord(value: unknown): LedgerRecord {
  const r = object(value, "row");
  return {
    uid: text(r, "uid"),
    timeMs: number(r, "timeMs"),
    requestId: text(r, "requestId"),
    clientKey: optional(r, "clientKey", text),
    tags: tags(r["tags"]),
    route: optional(r, "route", text),
    model: text(r, "model"),
    provider: text(r, "provider"),
    inputTokens: optional(r, "inputTokens", number),
    outputTokens: optional(r, "outputTokens", number),
    cachedInputTokens: optional(r, "cachedInputTokens", number),
    cacheWriteTokens: optional(r, "cacheWriteTokens", number),
    usageUnknown: flag(r, "usageUnknown"),
    usageBasis: oneOf(r, "usageBasis", USAGE_BASES),
    costPicos: picos(r, "costPicos"),
    latencyMs: number(r, "latencyMs"),
    ttftMs: optional(r, "ttftMs", number),
    outcome: oneOf(r, "outcome", ATTEMPT_OUTCOMES),
    attempt: number(r, "attempt"),
    failover: flag(r, "failover"),
    retry: flag(r, "retry"),
    hedge: flag(r, "hedge"),
    streamed: flag(r, "streamed"),
    errorKind: optional(r, "errorKind", text),
    request: r["request"] === undefined ? undefined : requestEnd(object(r["request"], "request")),
    ...(r["operation"] === undefined ? {} : { operation: oneOf(r, "operation", OPERATIONS) }),
  };
}

function requestEnd(r: Json): RequestEnd {
  return { outcome: oneOf(r, "outcome", REQUEST_OUTCOMES), latencyMs: number(r, "latencyMs"), ttftMs: optional(r, "ttftMs", number) };
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function object(value: unknown, name: string): Json {
  if (!isObject(value)) throw new Error(`${name} is not an object`);
  return value;
}

function text(r: Json, key: string): string {
  const v = r[key];
  if (typeof v !== "string") throw new Error(`${key} is not a string`);
  return v;
}

function number(r: Json, key: string): number {
  const v = r[key];
  if (typeof v !== "number") throw new Error(`${key} is not a number`);
  return v;
}

function flag(r: Json, key: string): boolean {
  const v = r[key];
  if (typeof v !== "boolean") throw new Error(`${key} is not a boolean`);
  return v;
}

function optional<T>(r: Json, key: string, read: (r: Json, key: string) => T): T | undefined {
  return r[key] === undefined ? undefined : read(r, key);
}

function oneOf<T extends string>(r: Json, key: string, allowed: readonly T[]): T {
  const v = text(r, key);
  const found = allowed.find((a) => a === v);
  if (found === undefined) throw new Error(`${key} is not one of ${allowed.join(", ")}`);
  return found;
}

function picos(r: Json, key: string): bigint {
  const v = text(r, key);
  if (!/^\d{1,20}$/.test(v)) throw new Error(`${key} is not a decimal count of pico-dollars`);
  return BigInt(v);
}

function tags(value: unknown): Record<string, string> {
  const entries = Object.entries(object(value, "tags"));
  for (const [k, v] of entries) if (typeof v !== "string") throw new Error(`tag ${k} is not a string`);
  // fromEntries defines own properties: a tag named __proto__ stays a tag.
  return Object.fromEntries(entries) as Record<string, string>;
}

/** Parsing of the rate-limit and retry headers providers send. */
import type { HeaderMap } from "./wire.js";

/** The first value of a header, lower-case name. */
export function header(headers: HeaderMap, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `retry-after` (seconds or an HTTP date, relative to `now`, epoch ms) or `retry-after-ms`, in milliseconds. */
export function retryAfterMs(headers: HeaderMap, now: number): number | undefined {
  const ms = header(headers, "retry-after-ms");
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  const value = header(headers, "retry-after");
  if (value === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go-style duration as OpenAI sends it ("1s", "6m0s", "20ms", "1h2m3.5s"), in milliseconds. */
export function parseDurationMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? "s"] ?? 0);
    consumed += m[0].length;
  }
  return consumed === text.trim().length && consumed > 0 ? Math.ceil(total) : undefined;
}

/** A non-negative integer header, or undefined. */
export function intHeader(headers: HeaderMap, name: string): number | undefined {
  const value = header(headers, name);
  return value !== undefined && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}

/** Parses JSON, returning undefined instead of throwing. */
export function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Narrows an unknown to a plain object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A non-negative integer field, or undefined (never 0 for absent). */
export function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** A string field, or undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

const LABEL = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * A provider-controlled label (an error type, code or status name) safe to put in a client-facing
 * reason: kept when it is a short plain token, else "unknown"; absent stays absent.
 */
export function safeLabel(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return LABEL.test(value) ? value : "unknown";
}

/** The entry of a lookup table for a provider-sent key, ignoring inherited names like "constructor". */
export function own<T>(table: Readonly<Record<string, T>>, key: string | undefined): T | undefined {
  return key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

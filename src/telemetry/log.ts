/** A small structured logger: one JSON object per line on stderr, levels filtered by LOG_LEVEL. */
import { createRedactor } from "./redact.js";
import type { Redactor } from "./redact.js";

/** Log levels in increasing severity. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Logs structured events; fields must never hold secrets (config secrets print as "[redacted]"). */
export interface Logger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
}

/** A logger writing JSON lines to a stream (stderr by default). */
export function createLogger(min: LogLevel = envLevel(), write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  return {
    log(level, msg, fields) {
      if (ORDER[level] < ORDER[min]) return;
      write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }, replacer)}\n`);
    },
  };
}

/** A logger that replaces every form of the given secrets (see createRedactor) in messages and fields with "[redacted]". */
export function redacting(logger: Logger, secrets: Redactor | readonly string[]): Logger {
  const redactor = isRedactor(secrets) ? secrets : createRedactor(secrets);
  if (redactor.empty) return logger;
  return { log: (level, msg, fields) => logger.log(level, redactor.text(msg), fields && (redactor.value(fields) as Record<string, unknown>)) };
}

function isRedactor(value: Redactor | readonly string[]): value is Redactor {
  return !Array.isArray(value);
}

function envLevel(): LogLevel {
  const v = process.env["LOG_LEVEL"];
  return v === "debug" || v === "info" || v === "warn" || v === "error" ? v : "info";
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

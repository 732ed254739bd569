/** A small structured logger: one JSON object per line on stderr, levels filtered by LOG_LEVEL. */

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

/** A logger that replaces every occurrence of the given secrets in messages and fields with "[redacted]". */
export function redacting(logger: Logger, secrets: readonly string[]): Logger {
  const list = secrets.filter((s) => s.length >= 4);
  if (list.length === 0) return logger;
  const scrub = (value: unknown): unknown => {
    if (typeof value === "string") return list.reduce((text, secret) => text.split(secret).join("[redacted]"), value);
    if (value instanceof Error) return scrub(`${value.name}: ${value.message}`);
    if (Array.isArray(value)) return value.map(scrub);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v)]));
    return value;
  };
  return { log: (level, msg, fields) => logger.log(level, scrub(msg) as string, fields && (scrub(fields) as Record<string, unknown>)) };
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

/**
 * The shared ledger of several replicas: `ledger.url` names a PostgreSQL database (a `${ENV}` reference keeps its
 * password out of the file); its value is a Secret and never appears in an error, a log or a diff.
 */
import type { Reader } from "./reader.js";
import { Secret } from "./secret.js";

/** Where and how the ledger is kept in PostgreSQL. */
export interface PostgresLedgerConfig {
  /** postgres://user:password@host:port/db (the whole URL is secret: it carries the password). */
  readonly url: Secret;
  /** The longest a write (or connecting) may take before its rows go to the spill journal, ms. Default 5,000. */
  readonly timeoutMs: number;
  /** The longest a report read may take, ms. Default 30,000. */
  readonly reportTimeoutMs: number;
  /** Connections this process opens for writes at most (reports use 2 more, maintenance 1). Default 4. */
  readonly poolSize: number;
}

/** The keys of `ledger` this file reads. */
export const LEDGER_PG_KEYS: readonly string[] = ["url", "timeoutMs", "reportTimeoutMs", "poolSize"];

/** Reads `ledger.url` and its settings; undefined when no url is set (the SQLite file is the ledger). */
export function readPostgresLedger(r: Reader, l: Record<string, unknown>): PostgresLedgerConfig | undefined {
  const url = l["url"];
  const tuning = LEDGER_PG_KEYS.filter((k) => k !== "url" && l[k] !== undefined);
  if (url === undefined || url === null) {
    for (const k of tuning) r.fail(`ledger.${k}`, "applies only with ledger.url");
    return undefined;
  }
  const problem = typeof url === "string" ? postgresUrlProblem(url) : SHAPE;
  if (problem) r.fail("ledger.url", problem);
  return {
    url: new Secret(typeof url === "string" ? url : ""),
    timeoutMs: r.number(l, "ledger", "timeoutMs", { integer: true, min: 100, max: 600_000, fallback: 5_000 }),
    reportTimeoutMs: r.number(l, "ledger", "reportTimeoutMs", { integer: true, min: 100, max: 3_600_000, fallback: 30_000 }),
    poolSize: r.number(l, "ledger", "poolSize", { integer: true, min: 1, max: 100, fallback: 4 }),
  };
}

const SHAPE = "must be postgres://user:password@host:port/database";

/** What is wrong with a PostgreSQL URL, never quoting it (it carries a password); undefined when it is usable. */
export function postgresUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return SHAPE;
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") return `${SHAPE} (the scheme must be postgres: or postgresql:)`;
  if (parsed.hostname === "") return `${SHAPE} (no host)`;
  if (parsed.pathname.replace(/^\//, "") === "") return `${SHAPE} (no database)`;
  return undefined;
}

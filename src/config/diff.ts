/**
 * What changed between two config snapshots, by field path, and which of those changes a running process cannot
 * take live (the listener, TLS files, the ledger's files): a pure comparison, never printing a value (secrets).
 */
import type { ConfigIssue } from "./reader.js";
import type { GatewayConfig, ModelConfig } from "./schema.js";
import { Secret } from "./secret.js";

/** One changed entry: a path (`models.m1`, `auth.keys.ci`), what happened to it and, when changed, which fields. */
export interface ConfigChange {
  readonly path: string;
  readonly change: "added" | "removed" | "changed";
  /** The fields of the entry that differ (names only), for "changed". */
  readonly fields: readonly string[];
}

/** The comparison of a running config with a new one. */
export interface ConfigDiff {
  /** Every change, in config order: sections, then entries by name. */
  readonly changes: readonly ConfigChange[];
  /** Changes that need a restart, each naming its field; any of them refuses the whole reload. */
  readonly restartOnly: readonly ConfigIssue[];
}

const RESTART = "cannot change while running; restart the process to apply it (the running value stays in use)";

/** Compares `before` (running) with `after` (just loaded and validated). */
export function diffConfig(before: GatewayConfig, after: GatewayConfig): ConfigDiff {
  const restartOnly: ConfigIssue[] = [];
  const fixed = (path: string, a: unknown, b: unknown): void => {
    if (!sameValue(a, b)) restartOnly.push({ path, message: RESTART });
  };
  fixed("listen", before.listen, after.listen);
  fixed("server.tls", before.tls, after.tls);
  fixed("server.limits", before.edge, after.edge);
  fixed("server.maxRequestBytes", before.maxRequestBytes, after.maxRequestBytes);
  fixed("ledger.path", before.ledger.path, after.ledger.path);
  fixed("ledger.spillPath", before.ledger.spillPath, after.ledger.spillPath);
  fixed("ledger.retentionDays", before.ledger.retentionDays, after.ledger.retentionDays);
  fixed("ledger.url", before.ledger.postgres?.url, after.ledger.postgres?.url);
  const [pa, pb] = [before.ledger.postgres, after.ledger.postgres];
  if (pa && pb) for (const k of ["timeoutMs", "reportTimeoutMs", "poolSize"] as const) fixed(`ledger.${k}`, pa[k], pb[k]);
  fixed("demo", before.demo, after.demo);
  fixed("state", before.state, after.state);

  const changes: ConfigChange[] = [];
  entries(changes, "providers", before.providers, after.providers);
  entries(changes, "models", before.models, after.models);
  entries(changes, "routes", before.routes, after.routes);
  section(changes, "failover", before.failover, after.failover);
  section(changes, "breaker", before.breaker, after.breaker);
  section(changes, "server", { shutdownGraceMs: before.shutdownGraceMs, ...before.bounds }, { shutdownGraceMs: after.shutdownGraceMs, ...after.bounds });
  if (before.auth.enabled !== after.auth.enabled) changes.push({ path: "auth.enabled", change: "changed", fields: [] });
  entries(changes, "auth.keys", before.auth.keys, after.auth.keys);
  return { changes, restartOnly };
}

/**
 * Whether a model's live state (breaker, cooldown, latency statistics, limit buckets) carries over to `after`:
 * the same deployment (provider and upstream model) with the same limits. Prices, weights, tiers may differ.
 */
export function sameDeployment(before: ModelConfig, after: ModelConfig): boolean {
  return before.name === after.name && before.provider === after.provider && before.upstreamModel === after.upstreamModel && before.rpm === after.rpm && before.tpm === after.tpm;
}

/** The changes as short lines for a log or an answer: `models.m2 added`, `models.m1 changed (pricing)`. */
export function describeChanges(changes: readonly ConfigChange[]): string[] {
  return changes.map((c) => `${c.path} ${c.change}${c.fields.length > 0 ? ` (${c.fields.join(", ")})` : ""}`);
}

function entries<V>(out: ConfigChange[], path: string, before: ReadonlyMap<string, V>, after: ReadonlyMap<string, V>): void {
  for (const [name, a] of before) {
    const b = after.get(name);
    if (b === undefined) out.push({ path: `${path}.${name}`, change: "removed", fields: [] });
    else {
      const fields = changedFields(a, b);
      if (fields.length > 0) out.push({ path: `${path}.${name}`, change: "changed", fields });
    }
  }
  for (const name of after.keys()) if (!before.has(name)) out.push({ path: `${path}.${name}`, change: "added", fields: [] });
}

function section(out: ConfigChange[], path: string, before: object, after: object): void {
  const fields = changedFields(before, after);
  if (fields.length > 0) out.push({ path, change: "changed", fields });
}

/** Snapshot fields named otherwise in the file. */
const FILE_NAMES: Readonly<Record<string, string>> = { monthlyBudgetPicos: "monthlyBudgetUsd" };

/** The top-level field names whose values differ, as the file names them. */
function changedFields(a: unknown, b: unknown): string[] {
  if (!isRecord(a) || !isRecord(b)) return sameValue(a, b) ? [] : ["(value)"];
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].filter((n) => !sameValue(a[n], b[n])).map((n) => FILE_NAMES[n] ?? n);
}

/** Structural equality over config values: primitives, bigint, Buffer, Secret, Map, Set, arrays, plain objects. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (a instanceof Secret || b instanceof Secret) return a instanceof Secret && b instanceof Secret && a.reveal() === b.reveal();
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !sameValue(v, b.get(k))) return false;
    return true;
  }
  if (a instanceof Set || b instanceof Set) {
    if (!(a instanceof Set && b instanceof Set) || a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    return a.every((v, i) => sameValue(v, b[i]));
  }
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (!sameValue(a[k], b[k])) return false;
  return true;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof Set);
}

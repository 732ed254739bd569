/** The `auth` and `server.tls` sections: client keys (by SHA-256, never the key), their limits, and TLS files. */
import { parseUsd } from "./price.js";
import { join } from "./reader.js";
import type { Reader } from "./reader.js";

/** What a client key may do. */
export type KeyRole = "user" | "admin";

/** One client key. */
export interface ClientKeyConfig {
  readonly id: string;
  /** SHA-256 of the key, 32 bytes. */
  readonly sha256: Buffer;
  readonly role: KeyRole;
  /** Models and routes the key may name; undefined: all. */
  readonly allow: ReadonlySet<string> | undefined;
  readonly rpm: number | undefined;
  readonly tpm: number | undefined;
  /** Monthly budget in pico-dollars; undefined: none. */
  readonly monthlyBudgetPicos: bigint | undefined;
  /** Tags added to every request of the key (the request's own win on conflict). */
  readonly tags: Readonly<Record<string, string>>;
}

/** Client authentication. */
export interface AuthConfig {
  /** False only when the operator turned auth off (local development). */
  readonly enabled: boolean;
  readonly keys: ReadonlyMap<string, ClientKeyConfig>;
}

/** TLS for the listener. */
export interface TlsConfig {
  readonly certFile: string;
  readonly keyFile: string;
}

/** Reads `auth`; auth is on unless `enabled: false`, and then it needs at least one key. */
export function readAuth(r: Reader, a: Record<string, unknown>, models: ReadonlySet<string>): AuthConfig {
  r.known(a, "auth", ["enabled", "keys"]);
  const enabled = a["enabled"] !== false;
  if (a["enabled"] !== undefined && typeof a["enabled"] !== "boolean") r.fail("auth.enabled", "must be true or false");
  const keys = new Map<string, ClientKeyConfig>();
  for (const [id, value] of Object.entries(r.object(a["keys"], "auth.keys", true))) {
    const path = join("auth.keys", id);
    const k = r.object(value, path);
    r.known(k, path, ["sha256", "role", "allow", "rpm", "tpm", "monthlyBudgetUsd", "tags"]);
    const hex = r.string(k, path, "sha256", "");
    if (!/^[0-9a-f]{64}$/i.test(hex)) r.fail(join(path, "sha256"), "must be the 64-hex-digit SHA-256 of the key (see `llm-gateway keys create`)");
    const allow = k["allow"] === undefined ? undefined : r.strings(k, path, "allow");
    allow?.forEach((m, i) => {
      if (!models.has(m)) r.fail(`${path}.allow[${i}]`, `names no model or route: ${m}`);
    });
    const budget = k["monthlyBudgetUsd"];
    const budgetPicos = budget === undefined ? undefined : parseUsd(String(budget));
    if (budget !== undefined && (typeof budget !== "number" || budgetPicos === undefined)) r.fail(join(path, "monthlyBudgetUsd"), "must be a non-negative amount of US dollars");
    keys.set(id, {
      id,
      sha256: Buffer.from(/^[0-9a-f]{64}$/i.test(hex) ? hex : "0".repeat(64), "hex"),
      role: r.oneOf(k, path, "role", ["user", "admin"] as const, "user"),
      allow: allow === undefined ? undefined : new Set(allow),
      rpm: r.optionalNumber(k, path, "rpm", { integer: true, min: 1 }),
      tpm: r.optionalNumber(k, path, "tpm", { integer: true, min: 1 }),
      monthlyBudgetPicos: budgetPicos,
      tags: readTags(r, k["tags"], join(path, "tags")),
    });
  }
  if (enabled && keys.size === 0) r.fail("auth.keys", "auth is on but no client key is configured: add keys (`llm-gateway keys create`) or set auth.enabled: false for local development");
  return { enabled, keys };
}

/** Reads `server.tls`, when present. */
export function readTls(r: Reader, value: unknown): TlsConfig | undefined {
  if (value === undefined || value === null) return undefined;
  const t = r.object(value, "server.tls");
  r.known(t, "server.tls", ["certFile", "keyFile"]);
  return { certFile: r.string(t, "server.tls", "certFile"), keyFile: r.string(t, "server.tls", "keyFile") };
}

function readTags(r: Reader, value: unknown, path: string): Record<string, string> {
  const obj = r.object(value, path, true);
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(obj)) {
    if (key.length === 0 || key.length > 64) r.fail(join(path, key), "tag keys are 1 to 64 characters");
    else if (typeof v !== "string" || v.length > 256) r.fail(join(path, key), "must be a string of at most 256 characters");
    else out[key] = v;
  }
  return out;
}

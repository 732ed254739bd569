/**
 * `state`: where the state replicas share lives (a client key's limits and budget, a deployment's limits and
 * cooldowns). Absent: in this process, as with one replica. `state.redis` names a Redis server shared by every
 * replica; the URL may carry a password, so it is held as a Secret and never printed.
 */
import { Secret } from "./secret.js";
import type { Reader } from "./reader.js";

/** The shared state's settings; `redis` undefined means in process. */
export interface StateConfig {
  /** `redis://[user:password@]host:port/db` (or `rediss://` for TLS), or undefined for state in process. */
  readonly redis: Secret | undefined;
  /** Prefix of every Redis key and channel the gateway uses (several gateways may share one Redis). */
  readonly keyPrefix: string;
  /** Longest a Redis command may take before the request falls back (limits) or is refused (budgets), ms. */
  readonly timeoutMs: number;
}

/** The keys of `state` this file reads. */
export const STATE_KEYS: readonly string[] = ["redis", "keyPrefix", "timeoutMs"];

/** The default: state in process. */
export const IN_PROCESS_STATE: StateConfig = { redis: undefined, keyPrefix: "llmgw:", timeoutMs: 250 };

/** Reads the `state` map `raw` (absent: in process); problems are recorded with their paths, never the URL. */
export function readState(r: Reader, raw: Record<string, unknown>): StateConfig {
  r.known(raw, "state", STATE_KEYS);
  const url = r.optionalString(raw, "state", "redis");
  if (url !== undefined && !validRedisUrl(url)) r.fail("state.redis", "must be a URL redis://host:port/db or rediss://host:port/db");
  const keyPrefix = r.string(raw, "state", "keyPrefix", IN_PROCESS_STATE.keyPrefix);
  if (!/^[A-Za-z0-9:._-]{1,64}$/.test(keyPrefix)) r.fail("state.keyPrefix", "must be 1 to 64 of A-Z a-z 0-9 : . _ -");
  return {
    redis: url === undefined ? undefined : new Secret(url),
    keyPrefix,
    timeoutMs: r.number(raw, "state", "timeoutMs", { integer: true, min: 10, max: 10_000, fallback: IN_PROCESS_STATE.timeoutMs }),
  };
}

/** Whether `url` is a redis:// or rediss:// URL with a host and, when given, a numeric database. */
function validRedisUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") return false;
  if (parsed.hostname === "") return false;
  return parsed.pathname === "" || parsed.pathname === "/" || /^\/\d{1,2}$/.test(parsed.pathname);
}

/**
 * Bearer-key authentication of GatewayService RPCs. A presented key is hashed (SHA-256) and looked up by its
 * digest: the lookup's timing can only tell about the digest, which says nothing about any stored key, so it
 * needs no constant-time loop over every key (and stays one lookup with thousands of keys).
 */
import { createHash } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Interceptor } from "@connectrpc/connect";
import type { AuthConfig, ClientKeyConfig } from "../config/auth.js";
import { principalKey } from "../service/principal.js";

const indexes = new WeakMap<AuthConfig, ReadonlyMap<string, ClientKeyConfig>>();

/**
 * Keys already verified, by the presented text, per config: a client sends the same key on every call, and its
 * SHA-256 is the largest cost of authenticating it. Only keys that matched are kept (a wrong key is hashed every
 * time), at most VERIFIED_MAX of them (the map is cleared when full); a new config snapshot starts empty, so a
 * revoked key is refused on the next call.
 */
const verified = new WeakMap<AuthConfig, Map<string, ClientKeyConfig>>();
const VERIFIED_MAX = 4096;

/** The keys of a config by the base64 of their SHA-256, built once per config. */
function indexOf(auth: AuthConfig): ReadonlyMap<string, ClientKeyConfig> {
  let index = indexes.get(auth);
  if (!index) {
    const byDigest = new Map<string, ClientKeyConfig>();
    for (const key of auth.keys.values()) if (!byDigest.has(key.sha256.toString("base64"))) byDigest.set(key.sha256.toString("base64"), key);
    indexes.set(auth, (index = byDigest));
  }
  return index;
}

/** The client key whose SHA-256 matches the presented key, if any. */
export function verifyKey(auth: AuthConfig, presented: string): ClientKeyConfig | undefined {
  let seen = verified.get(auth);
  const hit = seen?.get(presented);
  if (hit) return hit;
  const key = indexOf(auth).get(createHash("sha256").update(presented, "utf8").digest("base64"));
  if (key) {
    if (!seen) verified.set(auth, (seen = new Map()));
    if (seen.size >= VERIFIED_MAX) seen.clear();
    seen.set(presented, key);
  }
  return key;
}

/** Requires `authorization: Bearer <key>` on the named services; health and reflection stay open. */
export function authInterceptor(auth: AuthConfig, services: readonly string[]): Interceptor {
  const guarded = new Set(services);
  return (next) => async (req) => {
    if (!guarded.has(req.service.typeName)) return next(req);
    const header = req.header.get("authorization");
    const match = header === null ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw new ConnectError("missing client key: send metadata authorization: Bearer <key>", Code.Unauthenticated);
    const key = verifyKey(auth, match[1]);
    if (!key) throw new ConnectError("invalid client key", Code.Unauthenticated);
    req.contextValues.set(principalKey, key);
    return next(req);
  };
}

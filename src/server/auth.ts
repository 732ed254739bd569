/** Bearer-key authentication of GatewayService RPCs: SHA-256 of the key, compared in constant time. */
import { createHash, timingSafeEqual } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Interceptor } from "@connectrpc/connect";
import type { AuthConfig, ClientKeyConfig } from "../config/auth.js";
import { principalKey } from "../service/principal.js";

/** Finds the key whose hash matches, looking at every key so that timing reveals nothing. */
export function verifyKey(auth: AuthConfig, presented: string): ClientKeyConfig | undefined {
  const digest = createHash("sha256").update(presented, "utf8").digest();
  let found: ClientKeyConfig | undefined;
  for (const key of auth.keys.values()) {
    if (timingSafeEqual(digest, key.sha256) && found === undefined) found = key;
  }
  return found;
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

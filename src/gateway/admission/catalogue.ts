/** What of the catalogue a client key may see: the models and routes it may use, and nothing else. */
import type { ClientKeyConfig } from "../../config/auth.js";
import type { GatewayConfig, ModelConfig, RouteConfig } from "../../config/schema.js";

/** The models and routes visible to a caller. */
export interface Catalogue {
  readonly models: readonly ModelConfig[];
  readonly routes: readonly RouteConfig[];
}

/**
 * The catalogue as `key` sees it: everything for an admin key or when auth is off (no key) or the key has no
 * allow-list; else the routes it is allowed and the models it may reach (allowed by name, or behind an allowed route).
 */
export function catalogueFor(config: GatewayConfig, key: ClientKeyConfig | undefined): Catalogue {
  const allow = key?.role === "admin" ? undefined : key?.allow;
  if (!allow) return { models: [...config.models.values()], routes: [...config.routes.values()] };
  const routes = [...config.routes.values()].filter((r) => allow.has(r.name));
  const reachable = new Set<string>([...allow, ...routes.flatMap((r) => r.models)]);
  return { models: [...config.models.values()].filter((m) => reachable.has(m.name)), routes };
}

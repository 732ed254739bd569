/** The router: a request's target -> the ordered list of models that may serve it. Pure. */
import type { GatewayConfig, ModelConfig, RouteConfig } from "../config/schema.js";
import { GatewayError } from "./types.js";

/** The models to try, in order, and the route they came from. */
export interface Plan {
  readonly route: RouteConfig | undefined;
  readonly candidates: readonly ModelConfig[];
}

/** Resolves a model name (itself, then its fallbacks) or a route name (its models in order). */
export function plan(config: GatewayConfig, target: string): Plan {
  const model = config.models.get(target);
  if (model) {
    const fallbacks = model.fallbacks.map((name) => config.models.get(name)).filter((m): m is ModelConfig => m !== undefined);
    return { route: undefined, candidates: [model, ...fallbacks] };
  }
  const route = config.routes.get(target);
  if (route) {
    const candidates = route.models.map((name) => config.models.get(name)).filter((m): m is ModelConfig => m !== undefined);
    return { route, candidates };
  }
  throw new GatewayError(
    "not_found",
    `unknown model or route "${target}"; models: ${[...config.models.keys()].join(", ")}; routes: ${[...config.routes.keys()].join(", ") || "none"}`,
  );
}

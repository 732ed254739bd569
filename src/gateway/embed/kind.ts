/** The kind check of admission: a chat request may name only chat models, an embeddings request only embedding models. */
import { modelKind } from "../../config/embedding.js";
import type { GatewayConfig } from "../../config/schema.js";
import type { GatewayRequest } from "../types.js";

/**
 * Why the request's target cannot serve its operation, or undefined when it can. Routes and fallback chains serve
 * one kind (a config rule), so the target's first model decides.
 */
export function wrongKind(config: GatewayConfig, req: GatewayRequest): string | undefined {
  const first = config.models.get(req.target) ?? config.models.get(config.routes.get(req.target)?.models[0] ?? "");
  if (first === undefined) return undefined;
  const kind = modelKind(first);
  const what = config.models.has(req.target) ? "model" : "route";
  if (req.operation === "embeddings" && kind !== "embedding") return `model: "${req.target}" is a chat ${what}, not an embedding one; Embed takes an embedding model or a route over them (see ListModels)`;
  if (req.operation !== "embeddings" && kind === "embedding") return `model: "${req.target}" is an embedding ${what}; use Embed (or name a chat model)`;
  return undefined;
}

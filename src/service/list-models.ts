/** ListModels: the catalogue with prices, tiers, health and routes. */
import { create } from "@bufbuild/protobuf";
import { CAPABILITIES } from "../config/schema.js";
import { modelKind } from "../config/embedding.js";
import type { Strategy as CoreStrategy, Tier as CoreTier } from "../config/schema.js";
import type { ClientKeyConfig } from "../config/auth.js";
import type { Gateway } from "../gateway/gateway.js";
import { catalogueFor } from "../gateway/admission/catalogue.js";
import type { ModelHealth } from "../gateway/types.js";
import type { ListModelsResponse } from "../../gen/llmgateway/v1/models_pb.js";
import { Health, ListModelsResponseSchema, ModelKind, Strategy, Tier } from "../../gen/llmgateway/v1/models_pb.js";
import { toMoney } from "./convert.js";

const MTOK = 1_000_000n;
const TIER: Record<CoreTier, Tier> = { simple: Tier.SIMPLE, medium: Tier.MEDIUM, complex: Tier.COMPLEX };
const STRATEGY: Record<CoreStrategy, Strategy> = {
  ordered: Strategy.ORDERED,
  weighted: Strategy.WEIGHTED,
  cost: Strategy.COST,
  latency: Strategy.LATENCY,
  complexity: Strategy.COMPLEXITY,
};
const HEALTH: Record<ModelHealth, Health> = {
  healthy: Health.HEALTHY,
  probing: Health.PROBING,
  unhealthy: Health.UNHEALTHY,
  cooling_down: Health.COOLING_DOWN,
};

/** Describes the models and routes of the gateway's config that `key` may use (all of them for an admin key or without auth). */
export function listModels(gateway: Gateway, key: ClientKeyConfig | undefined): ListModelsResponse {
  // One snapshot for the whole answer, though a reload may swap the gateway's meanwhile.
  const config = gateway.config;
  const visible = catalogueFor(config, key);
  return create(ListModelsResponseSchema, {
    models: visible.models.map((m) => ({
      name: m.name,
      provider: m.provider,
      providerKind: config.providers.get(m.provider)?.kind ?? "",
      upstreamModel: m.upstreamModel,
      pricing: {
        inputPerMtok: toMoney(m.pricing.inputPerToken * MTOK),
        outputPerMtok: toMoney(m.pricing.outputPerToken * MTOK),
        cachedInputPerMtok: toMoney(m.pricing.cachedInputPerToken * MTOK),
        cacheWritePerMtok: toMoney(m.pricing.cacheWritePerToken * MTOK),
        priceDate: m.pricing.priceDate ?? "",
      },
      tier: TIER[m.tier],
      weight: Math.round(m.weight),
      contextWindow: m.contextWindow ?? 0,
      health: HEALTH[gateway.health(m.name)],
      capabilities: CAPABILITIES.filter((c) => m.capabilities.has(c)),
      kind: modelKind(m) === "embedding" ? ModelKind.EMBEDDING : ModelKind.CHAT,
      dimensions: m.embedding?.dimensions ?? 0,
      maxInputTokens: m.embedding?.maxInputTokens ?? 0,
    })),
    routes: visible.routes.map((r) => ({ name: r.name, strategy: STRATEGY[r.strategy], models: [...r.models] })),
  });
}

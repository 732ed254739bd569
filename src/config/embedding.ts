/**
 * Embedding models: `models.NAME.kind: embedding` (default `chat`), with an optional default vector size
 * (`dimensions`) and a bound on one input (`maxInputTokens`). An embedding model is priced per input token only,
 * is served by an OpenAI- or Gemini-kind provider (Anthropic has no embeddings API), and never shares a route or a
 * fallback chain with a chat model.
 */
import type { Reader } from "./reader.js";
import { join } from "./reader.js";
import type { ModelConfig, ProviderKind, RouteConfig } from "./schema.js";

/** What a model does: answer conversations, or embed texts. */
export type ModelKind = "chat" | "embedding";

/** All model kinds, the default first. */
export const MODEL_KINDS: readonly ModelKind[] = ["chat", "embedding"];

/** What an embedding model adds to its ModelConfig. */
export interface EmbeddingSpec {
  /** The vector size sent when a request sets none; undefined: the provider's default. */
  readonly dimensions: number | undefined;
  /** The most tokens one input may hold (estimated); undefined: no check. */
  readonly maxInputTokens: number | undefined;
}

/** The keys of `models.NAME` this file reads. */
export const EMBEDDING_KEYS: readonly string[] = ["kind", "dimensions", "maxInputTokens"];

/** Pricing keys an embedding model may not set: it has no output and no prompt cache. */
const CHAT_PRICES = ["outputPerMTok", "cachedInputPerMTok", "cacheWritePerMTok"];

/** The kind of a model: `embedding` when it has an embedding spec. */
export function modelKind(model: Pick<ModelConfig, "embedding">): ModelKind {
  return model.embedding === undefined ? "chat" : "embedding";
}

/**
 * Reads `models.NAME.kind`, `.dimensions` and `.maxInputTokens` from the model's map `raw` at `path`; returns the
 * embedding spec of an embedding model, undefined for a chat model (which may not set the embedding fields).
 */
export function readEmbedding(r: Reader, raw: Record<string, unknown>, path: string, provider: ProviderKind | undefined): EmbeddingSpec | undefined {
  const kind = r.oneOf(raw, path, "kind", MODEL_KINDS, "chat");
  if (kind === "chat") {
    for (const key of ["dimensions", "maxInputTokens"]) if (raw[key] !== undefined) r.fail(join(path, key), "applies only to kind embedding");
    return undefined;
  }
  if (provider === "anthropic") r.fail(join(path, "kind"), "an anthropic-kind provider serves no embeddings (use an openai- or gemini-kind provider)");
  const pricing = raw["pricing"];
  if (typeof pricing === "object" && pricing !== null) {
    for (const key of CHAT_PRICES) {
      if (key in pricing) r.fail(join(join(path, "pricing"), key), "an embedding model is priced per input token only (inputPerMTok)");
    }
  }
  return {
    dimensions: r.optionalNumber(raw, path, "dimensions", { integer: true, min: 1, max: 65_536 }),
    maxInputTokens: r.optionalNumber(raw, path, "maxInputTokens", { integer: true, min: 1, max: 10_000_000 }),
  };
}

/** Records every route or fallback chain that mixes chat and embedding models, at the path of the odd one. */
export function checkKinds(r: Reader, models: ReadonlyMap<string, ModelConfig>, routes: ReadonlyMap<string, RouteConfig>): void {
  const kindOf = (name: string): ModelKind | undefined => {
    const m = models.get(name);
    return m === undefined ? undefined : modelKind(m);
  };
  const mixed = (path: string, names: readonly string[], first: ModelKind | undefined): void => {
    names.forEach((name, i) => {
      const kind = kindOf(name);
      if (first !== undefined && kind !== undefined && kind !== first) r.fail(`${path}[${i}]`, `names ${kind === "embedding" ? "an" : "a"} ${kind} model (${name}) among ${first} models; a route or fallback chain serves one kind`);
    });
  };
  for (const m of models.values()) mixed(`models.${m.name}.fallbacks`, m.fallbacks, modelKind(m));
  for (const route of routes.values()) mixed(`routes.${route.name}.models`, route.models, route.models.map(kindOf).find((k) => k !== undefined));
}

/** Embedding models in the config: the kind, input-only pricing, the providers that serve them, and kinds never mixed. */
import { describe, expect, it } from "vitest";
import { modelKind } from "./embedding.js";
import { ConfigError } from "./reader.js";
import { validateConfig } from "./validate.js";

const PROVIDERS = {
  oa: { kind: "openai", baseUrl: "http://127.0.0.1:9/v1" },
  ge: { kind: "gemini", baseUrl: "http://127.0.0.1:9" },
  an: { kind: "anthropic", baseUrl: "http://127.0.0.1:9" },
};
const CHAT = { provider: "oa", pricing: { inputPerMTok: 1, outputPerMTok: 2 } };

function issues(models: Record<string, unknown>, routes: Record<string, unknown> = {}): string[] {
  try {
    validateConfig({ providers: PROVIDERS, models, routes, auth: { enabled: false } });
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

describe("embedding models", () => {
  it("reads kind, dimensions and maxInputTokens; prices input only; has no chat capabilities; chat stays the default", () => {
    const config = validateConfig({
      providers: PROVIDERS,
      models: { chat: CHAT, small: { kind: "embedding", provider: "oa", dimensions: 512, maxInputTokens: 8191, pricing: { inputPerMTok: 0.02 } }, g: { kind: "embedding", provider: "ge", pricing: { inputPerMTok: 0.15 } } },
      routes: { embed: { models: ["small", "g"] } },
      auth: { enabled: false },
    });
    const small = config.models.get("small");
    expect(small?.embedding).toEqual({ dimensions: 512, maxInputTokens: 8191 });
    expect(small?.pricing.inputPerToken).toBe(20_000n);
    expect(small?.pricing.outputPerToken).toBe(0n);
    expect(small?.capabilities.size).toBe(0);
    expect(config.models.get("g")?.embedding).toEqual({ dimensions: undefined, maxInputTokens: undefined });
    const chat = config.models.get("chat");
    expect(chat && modelKind(chat)).toBe("chat");
    expect(small && modelKind(small)).toBe("embedding");
  });

  it("names by path an Anthropic embedding model, output or cache prices, embedding fields on a chat model, and an unknown kind", () => {
    expect(
      issues({
        a: { kind: "embedding", provider: "an", pricing: { inputPerMTok: 1 } },
        b: { kind: "embedding", provider: "oa", pricing: { inputPerMTok: 1, outputPerMTok: 2, cachedInputPerMTok: 0.5 } },
        c: { ...CHAT, dimensions: 256 },
        d: { ...CHAT, kind: "vision" },
      }),
    ).toEqual([
      "models.a.kind: an anthropic-kind provider serves no embeddings (use an openai- or gemini-kind provider)",
      "models.b.pricing.outputPerMTok: an embedding model is priced per input token only (inputPerMTok)",
      "models.b.pricing.cachedInputPerMTok: an embedding model is priced per input token only (inputPerMTok)",
      "models.c.dimensions: applies only to kind embedding",
      "models.d.kind: must be one of: chat, embedding",
    ]);
  });

  it("refuses a route or a fallback chain that mixes chat and embedding models, at the odd entry", () => {
    const e = { kind: "embedding", provider: "oa", pricing: { inputPerMTok: 1 } };
    expect(issues({ chat: { ...CHAT, fallbacks: ["e"] }, e }, { mixed: { models: ["e", "chat"] } })).toEqual([
      "models.chat.fallbacks[0]: names an embedding model (e) among chat models; a route or fallback chain serves one kind",
      "routes.mixed.models[1]: names a chat model (chat) among embedding models; a route or fallback chain serves one kind",
    ]);
  });
});

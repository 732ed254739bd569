/** The embedded demo: the product page's four models (and two embedding models) served by simulated providers started in-process. */
import type { GatewayConfig } from "../config/schema.js";
import { validateConfig } from "../config/validate.js";
import { startSimulator } from "../sim/server.js";
import type { Simulator } from "../sim/server.js";

/** The demo's simulated endpoints: one per provider, each speaking that provider's wire format. */
const ENDPOINTS = {
  openai: { kind: "openai", profile: { latencyMs: { min: 40, max: 120 }, chunkDelayMs: 8, errorRate: 0.02, seed: 11 } },
  anthropic: { kind: "anthropic", profile: { latencyMs: { min: 60, max: 160 }, chunkDelayMs: 10, errorRate: 0.02, seed: 12 } },
  google: { kind: "gemini", profile: { latencyMs: { min: 20, max: 80 }, chunkDelayMs: 5, errorRate: 0.02, seed: 13 } },
  deepseek: { kind: "openai", profile: { latencyMs: { min: 30, max: 100 }, chunkDelayMs: 6, errorRate: 0.02, seed: 14 } },
} as const;

/** A running demo: its config and the simulator behind it. */
export interface Demo {
  readonly config: GatewayConfig;
  readonly simulator: Simulator;
}

/** Starts the simulator and builds the demo config pointing at it. */
export async function startDemo(listen: string, ledgerPath: string): Promise<Demo> {
  const simulator = await startSimulator(ENDPOINTS);
  const provider = (name: keyof typeof ENDPOINTS): Record<string, unknown> => ({
    kind: ENDPOINTS[name].kind,
    baseUrl: simulator.baseUrl(name),
    apiKey: `demo-${name}-key`,
  });
  const config = validateConfig({
    demo: true,
    listen,
    providers: { openai: provider("openai"), anthropic: provider("anthropic"), google: provider("google"), deepseek: provider("deepseek") },
    models: {
      "gpt-4.1": { provider: "openai", tier: "complex", weight: 1, contextWindow: 1_047_576, pricing: { inputPerMTok: 2.0, cachedInputPerMTok: 0.5, outputPerMTok: 8.0, date: "2026-11-01" } },
      "claude-sonnet-4.5": { provider: "anthropic", tier: "complex", weight: 1, contextWindow: 200_000, pricing: { inputPerMTok: 3.0, cachedInputPerMTok: 0.3, cacheWritePerMTok: 3.75, outputPerMTok: 15.0, date: "2026-11-01" } },
      "gemini-2.5-flash": { provider: "google", tier: "medium", weight: 3, contextWindow: 1_048_576, pricing: { inputPerMTok: 0.3, cachedInputPerMTok: 0.075, outputPerMTok: 2.5, date: "2026-11-01" } },
      "deepseek-v3.2": { provider: "deepseek", tier: "simple", weight: 5, contextWindow: 128_000, capabilities: { json_schema: false, images: false }, pricing: { inputPerMTok: 0.28, cachedInputPerMTok: 0.028, outputPerMTok: 0.42, date: "2026-11-01" } },
      // Embedding models: Embed (and POST /v1/embeddings) only, priced per input token; both at 1536 dimensions, so the
      // embed route gives vectors of one size whichever serves.
      "text-embedding-3-small": { kind: "embedding", provider: "openai", dimensions: 1536, maxInputTokens: 8191, pricing: { inputPerMTok: 0.02, date: "2026-11-01" } },
      "gemini-embedding-001": { kind: "embedding", provider: "google", dimensions: 1536, maxInputTokens: 2048, pricing: { inputPerMTok: 0.15, date: "2026-11-01" } },
    },
    routes: {
      auto: { strategy: "complexity", models: ["deepseek-v3.2", "gemini-2.5-flash", "gpt-4.1", "claude-sonnet-4.5"] },
      cheap: { strategy: "cost", models: ["deepseek-v3.2", "gemini-2.5-flash", "gpt-4.1"] },
      balanced: { strategy: "weighted", models: ["deepseek-v3.2", "gemini-2.5-flash", "gpt-4.1"] },
      fast: { strategy: "latency", models: ["gemini-2.5-flash", "deepseek-v3.2", "gpt-4.1"], hedge: { delayMs: 250 } },
      premium: { strategy: "ordered", models: ["claude-sonnet-4.5", "gpt-4.1"] },
      embed: { strategy: "ordered", models: ["text-embedding-3-small", "gemini-embedding-001"] },
    },
    ledger: { path: ledgerPath },
    // The demo is local and keyless; a real config keeps auth on.
    auth: { enabled: false },
  });
  return { config, simulator };
}

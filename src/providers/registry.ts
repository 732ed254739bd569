/** Builds the adapter for a configured provider from its wire format kind. */
import type { ProviderConfig } from "../config/schema.js";
import type { ProviderAdapter } from "./adapter.js";
import { HttpProvider } from "./http-provider.js";
import { anthropicWire } from "./anthropic/wire.js";
import { geminiWire } from "./gemini/wire.js";
import { openAiWire } from "./openai/wire.js";
import type { WireFormat } from "./wire.js";

/** The wire format of a provider kind. */
export function wireFor(config: ProviderConfig): WireFormat {
  switch (config.kind) {
    case "openai":
      return openAiWire({ maxTokensField: config.maxTokensField ?? "max_tokens" });
    case "anthropic":
      return anthropicWire();
    case "gemini":
      return geminiWire();
  }
}

/** An HTTP adapter for a configured provider. */
export function createAdapter(config: ProviderConfig): ProviderAdapter {
  return new HttpProvider(config, wireFor(config));
}

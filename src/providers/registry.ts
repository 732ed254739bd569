/** Builds the adapter for a configured provider from its wire format kind. */
import type { ProviderConfig } from "../config/schema.js";
import type { ProviderAdapter } from "./adapter.js";
import { HttpProvider } from "./http-provider.js";
import { openAiWire } from "./openai/wire.js";
import type { WireFormat } from "./wire.js";

/** The wire format of a provider kind. */
export function wireFor(config: ProviderConfig): WireFormat {
  switch (config.kind) {
    case "openai":
      return openAiWire({ maxTokensField: "max_tokens" });
    case "anthropic":
    case "gemini":
      throw new Error(`provider ${config.name}: kind ${config.kind} is not supported yet`);
  }
}

/** An HTTP adapter for a configured provider. */
export function createAdapter(config: ProviderConfig): ProviderAdapter {
  return new HttpProvider(config, wireFor(config));
}

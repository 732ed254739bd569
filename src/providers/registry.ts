/** Builds the adapter for a configured provider from its wire format kind. */
import type { ProviderConfig } from "../config/schema.js";
import type { ProviderAdapter } from "./adapter.js";
import { HttpProvider } from "./http-provider.js";
import type { ProviderCaps } from "./http-provider.js";
import { anthropicWire } from "./anthropic/wire.js";
import { geminiWire } from "./gemini/wire.js";
import { openAiWire } from "./openai/wire.js";
import type { WireFormat } from "./wire.js";

/** The wire format of a provider kind; `now` is the wall clock (epoch ms) its Retry-After parsing reads. */
export function wireFor(config: ProviderConfig, now: () => number): WireFormat {
  switch (config.kind) {
    case "openai":
      return openAiWire({ maxTokensField: config.maxTokensField ?? "max_tokens", now });
    case "anthropic":
      return anthropicWire({ now });
    case "gemini":
      return geminiWire({ now });
  }
}

/**
 * An HTTP adapter for a configured provider, reading time from the injected wall clock `now` (epoch ms);
 * `scrub` removes secrets from provider-sent text that can reach clients (see HttpProvider); `caps` bound what one call may take.
 */
export function createAdapter(config: ProviderConfig, now: () => number, scrub?: (text: string) => string, caps?: ProviderCaps): ProviderAdapter {
  return new HttpProvider(config, wireFor(config, now), scrub, caps);
}

import { describe, expect, it } from "vitest";
import { validateConfig } from "../config/validate.js";
import { ConfigError } from "../config/reader.js";
import type { UpstreamCall } from "./types.js";
import { wireFor } from "./registry.js";

const pricing = { inputPerMTok: 1, outputPerMTok: 2 };

/** A minimal config document with one provider of these settings. */
function doc(provider: Record<string, unknown>): Record<string, unknown> {
  return {
    providers: { p: { baseUrl: "http://127.0.0.1:9", ...provider } },
    models: { m: { provider: "p", pricing } },
    auth: { enabled: false },
  };
}

/** The issues validation reports for a document, as "path: message". */
function issues(raw: Record<string, unknown>): string[] {
  try {
    validateConfig(raw);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

const call: UpstreamCall = { upstreamModel: "gpt-5", defaultMaxTokens: 64, request: { messages: [{ role: "user", content: "Hi" }], params: { maxTokens: 9 } } };

/** The request body the configured provider's wire format sends. */
function sentBody(provider: Record<string, unknown>): Record<string, unknown> {
  const config = validateConfig(doc(provider)).providers.get("p");
  if (!config) throw new Error("provider p missing");
  return JSON.parse(wireFor(config, () => 0).buildRequest(call, undefined, false).body) as Record<string, unknown>;
}

describe("providers.NAME.maxTokensField", () => {
  it("defaults to max_tokens for kind openai", () => {
    expect(validateConfig(doc({ kind: "openai" })).providers.get("p")?.maxTokensField).toBe("max_tokens");
    const body = sentBody({ kind: "openai" });
    expect(body["max_tokens"]).toBe(9);
    expect(body).not.toHaveProperty("max_completion_tokens");
  });

  it("sends max_completion_tokens when configured", () => {
    const body = sentBody({ kind: "openai", maxTokensField: "max_completion_tokens" });
    expect(body["max_completion_tokens"]).toBe(9);
    expect(body).not.toHaveProperty("max_tokens");
  });

  it("names the field of a bad value, and of the option on a kind it does not apply to", () => {
    expect(issues(doc({ kind: "openai", maxTokensField: "max_output_tokens" }))).toEqual([
      "providers.p.maxTokensField: must be one of: max_tokens, max_completion_tokens",
    ]);
    expect(issues(doc({ kind: "anthropic", maxTokensField: "max_tokens" }))).toEqual(["providers.p.maxTokensField: applies only to kind openai"]);
    expect(validateConfig(doc({ kind: "gemini" })).providers.get("p")?.maxTokensField).toBeUndefined();
  });
});

import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { parseConfig } from "./load.js";
import { ConfigError } from "./reader.js";

const VALID = `
listen: 127.0.0.1:50051
providers:
  openai:   { kind: openai,    baseUrl: https://api.openai.com/v1, apiKey: "\${OPENAI_API_KEY}" }
  deepseek: { kind: openai,    baseUrl: https://api.deepseek.com/v1, apiKey: "\${DEEPSEEK_API_KEY}" }
  anthropic: { kind: anthropic, baseUrl: https://api.anthropic.com, apiKey: "\${ANTHROPIC_API_KEY}" }
models:
  gpt-4.1:
    provider: openai
    upstreamModel: gpt-4.1
    pricing: { inputPerMTok: 2.00, outputPerMTok: 8.00, cachedInputPerMTok: 0.50 }
    weight: 2
    tier: complex
  deepseek-v3.2:
    provider: deepseek
    pricing: { inputPerMTok: 0.28, outputPerMTok: 0.42 }
    weight: 5
    tier: simple
auth:
  keys:
    team-search: { sha256: "${"a".repeat(64)}", allow: [auto], rpm: 600, monthlyBudgetUsd: 500, tags: { team: search } }
    ops: { sha256: "${"b".repeat(64)}", role: admin }
routes:
  auto: { strategy: complexity, models: [deepseek-v3.2, gpt-4.1] }
`;
const ENV = { OPENAI_API_KEY: "sk-test-openai-123", DEEPSEEK_API_KEY: "sk-ds-456", ANTHROPIC_API_KEY: "sk-ant-789" };

function issues(text: string, env: NodeJS.ProcessEnv = ENV): string[] {
  try {
    parseConfig(text, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

describe("config", () => {
  it("accepts the documented example and derives defaults", () => {
    const c = parseConfig(VALID, ENV);
    expect(c.listen).toEqual({ host: "127.0.0.1", port: 50051 });
    const ds = c.models.get("deepseek-v3.2");
    expect(ds?.upstreamModel).toBe("deepseek-v3.2");
    // $0.28 per million tokens = 280,000 pico-dollars per token; cached defaults to the input price
    expect(ds?.pricing.inputPerToken).toBe(280_000n);
    expect(ds?.pricing.cachedInputPerToken).toBe(280_000n);
    expect(c.models.get("gpt-4.1")?.pricing.cachedInputPerToken).toBe(500_000n);
    expect(c.routes.get("auto")?.strategy).toBe("complexity");
    expect(c.providers.get("openai")?.apiKey?.reveal()).toBe("sk-test-openai-123");
    expect(c.ledger).toEqual({ path: "gateway-ledger.db", retentionDays: 400, spillPath: "gateway-ledger.db.spill" });
  });

  it("reads the ledger's spill path, none for an in-memory ledger, never the ledger's own file", () => {
    expect(parseConfig(`${VALID}\nledger: { path: /a/l.db, spillPath: /b/l.spill }`, ENV).ledger.spillPath).toBe("/b/l.spill");
    expect(parseConfig(`${VALID}\nledger: { path: ":memory:" }`, ENV).ledger.spillPath).toBeUndefined();
    expect(issues(`${VALID}\nledger: { path: /a/l.db, spillPath: /a/l.db }`)).toEqual(["ledger.spillPath: must be a file other than the ledger's"]);
  });

  it("never prints a secret, whether logged, inspected or serialised", () => {
    const c = parseConfig(VALID, ENV);
    const p = c.providers.get("openai");
    const printed = [String(p?.apiKey), JSON.stringify(p), inspect(p, { depth: 5 }), inspect(c, { depth: 8 })].join("\n");
    expect(printed).not.toContain("sk-test-openai-123");
    expect(printed).toContain("[redacted]");
  });

  it("names the environment variable that is missing, with the field path", () => {
    expect(issues(VALID, { ...ENV, DEEPSEEK_API_KEY: undefined })).toEqual(["providers.deepseek.apiKey: environment variable DEEPSEEK_API_KEY is not set"]);
  });

  it("checks cross-references with the path of the offending field", () => {
    const bad = VALID.replace("provider: deepseek", "provider: deepsek").replace("models: [deepseek-v3.2, gpt-4.1]", "models: [deepseek-v3.2, gpt-5]");
    expect(issues(bad)).toEqual([
      "models.deepseek-v3.2.provider: names no provider (have: openai, deepseek, anthropic)",
      "routes.auto.models[1]: names no model: gpt-5 (have: gpt-4.1, deepseek-v3.2)",
    ]);
  });

  it("reports every problem at once: kinds, prices, tiers, unknown fields, listen", () => {
    const bad = VALID.replace("kind: anthropic", "kind: claude")
      .replace("inputPerMTok: 0.28", "inputPerMTok: 0.0000001")
      .replace("tier: simple", "tier: trivial")
      .replace("weight: 5", "weigth: 5")
      .replace("listen: 127.0.0.1:50051", "listen: nowhere");
    expect(issues(bad)).toEqual([
      "providers.anthropic.kind: must be one of: openai, anthropic, gemini",
      "models.deepseek-v3.2.weigth: unknown field (expected one of: provider, upstreamModel, pricing, weight, tier, contextWindow, defaultMaxTokens, rpm, tpm, fallbacks, capabilities, kind, dimensions, maxInputTokens)",
      "models.deepseek-v3.2.pricing.inputPerMTok: must be a price in USD per million tokens, >= 0, at most 6 decimals",
      "models.deepseek-v3.2.tier: must be one of: simple, medium, complex",
      "listen: must be host:port, e.g. 127.0.0.1:50051",
    ]);
  });

  it("rejects malformed YAML and empty catalogues", () => {
    expect(issues("providers: [unclosed")[0]).toMatch(/^\(yaml\): /);
    expect(issues("providers: {}\nmodels: {}\nauth: { enabled: false }\n")).toEqual(["providers: must name at least one provider", "models: must name at least one model"]);
  });

  it("rejects a route named like a model and fallbacks that name no model", () => {
    const bad = `${VALID.replace("tier: complex", "tier: complex\n    fallbacks: [nope]")}  gpt-4.1: { models: [gpt-4.1] }\n`;
    expect(issues(bad)).toEqual(["models.gpt-4.1.fallbacks[0]: names no other model: nope", "routes.gpt-4.1: a route may not have the name of a model"]);
  });
});

describe("auth config", () => {
  it("reads client keys by hash with their limits, budget and default tags", () => {
    const c = parseConfig(VALID, ENV);
    expect(c.auth.enabled).toBe(true);
    const k = c.auth.keys.get("team-search");
    expect(k?.sha256.toString("hex")).toBe("a".repeat(64));
    expect(k?.role).toBe("user");
    expect([...(k?.allow ?? [])]).toEqual(["auto"]);
    expect(k?.monthlyBudgetPicos).toBe(500n * 10n ** 12n);
    expect(k?.tags).toEqual({ team: "search" });
    expect(c.auth.keys.get("ops")?.role).toBe("admin");
    expect(c.auth.keys.get("ops")?.allow).toBeUndefined();
  });

  it("keeps auth on by default and refuses to start without keys, unless turned off", () => {
    const noKeys = VALID.slice(0, VALID.indexOf("auth:")) + VALID.slice(VALID.indexOf("routes:"));
    expect(issues(noKeys)[0]).toMatch(/^auth\.keys: auth is on but no client key is configured/);
    expect(issues(`${noKeys}auth: { enabled: false }\n`)).toEqual([]);
  });

  it("names bad hashes, unknown allowed models and bad budgets by path", () => {
    const bad = VALID.replace(`sha256: "${"a".repeat(64)}", allow: [auto]`, 'sha256: "abc", allow: [auto, gpt-9]').replace("monthlyBudgetUsd: 500", "monthlyBudgetUsd: -3");
    expect(issues(bad)).toEqual([
      "auth.keys.team-search.sha256: must be the 64-hex-digit SHA-256 of the key (see `llm-gateway keys create`)",
      "auth.keys.team-search.allow[1]: names no model or route: gpt-9",
      "auth.keys.team-search.monthlyBudgetUsd: must be a non-negative amount of US dollars",
    ]);
  });
});

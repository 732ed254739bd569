/** Turns an untyped (env-substituted) YAML document into a validated GatewayConfig snapshot. */
import { perMTokToPicoPerToken } from "./price.js";
import { readAuth, readTls } from "./auth.js";
import { BOUNDS_KEYS, readBounds } from "./bounds.js";
import { POOL_KEYS, readPool } from "./pool.js";
import { checkKinds, EMBEDDING_KEYS, readEmbedding } from "./embedding.js";
import { readEdge } from "./edge.js";
import { LEDGER_PG_KEYS, readPostgresLedger } from "./ledger-url.js";
import { readState } from "./state.js";
import { ConfigError, join, Reader } from "./reader.js";
import type {
  BreakerConfig,
  Capability,
  FailoverConfig,
  GatewayConfig,
  HedgeConfig,
  LedgerConfig,
  ModelConfig,
  PricingConfig,
  ProviderConfig,
  ProviderKind,
  RouteConfig,
  TimeoutsConfig,
} from "./schema.js";
import { CAPABILITIES, MAX_TOKENS_FIELDS, STRATEGIES, TIERS } from "./schema.js";
import { Secret } from "./secret.js";

const KINDS: readonly ProviderKind[] = ["openai", "anthropic", "gemini"];
const TOP_KEYS = ["listen", "providers", "models", "routes", "failover", "breaker", "ledger", "server", "auth", "demo", "state"];
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;

/** Validates a whole document; throws ConfigError listing every problem with its path. */
export function validateConfig(raw: unknown): GatewayConfig {
  const r = new Reader();
  const doc = r.object(raw, "(root)");
  r.known(doc, "", TOP_KEYS);
  const providers = readProviders(r, r.object(doc["providers"], "providers"));
  const models = readModels(r, r.object(doc["models"], "models"), providers);
  const routes = readRoutes(r, r.object(doc["routes"], "routes", true), models);
  checkKinds(r, models, routes);
  const server = r.object(doc["server"], "server", true);
  r.known(server, "server", ["shutdownGraceMs", "maxRequestBytes", "tls", "limits", ...BOUNDS_KEYS]);
  const config: GatewayConfig = {
    listen: readListen(r, doc["listen"]),
    providers,
    models,
    routes,
    failover: readFailover(r, r.object(doc["failover"], "failover", true)),
    breaker: readBreaker(r, r.object(doc["breaker"], "breaker", true)),
    ledger: readLedger(r, r.object(doc["ledger"], "ledger", true)),
    shutdownGraceMs: r.number(server, "server", "shutdownGraceMs", { integer: true, max: 600_000, fallback: 10_000 }),
    maxRequestBytes: r.number(server, "server", "maxRequestBytes", { integer: true, min: 1024, max: 64 << 20, fallback: 4 << 20 }),
    bounds: readBounds(r, server),
    demo: doc["demo"] === true,
    auth: readAuth(r, r.object(doc["auth"], "auth", true), new Set([...models.keys(), ...routes.keys()])),
    tls: readTls(r, server["tls"]),
    edge: readEdge(r, r.object(server["limits"], "server.limits", true)),
    state: readState(r, r.object(doc["state"], "state", true)),
  };
  if (r.issues.length > 0) throw new ConfigError(r.issues);
  return config;
}

function readListen(r: Reader, value: unknown): GatewayConfig["listen"] {
  const text = value === undefined ? "127.0.0.1:50051" : value;
  const m = typeof text === "string" ? /^(.*):(\d+)$/.exec(text) : null;
  const port = m ? Number(m[2]) : -1;
  if (!m || port > 65535) {
    r.fail("listen", "must be host:port, e.g. 127.0.0.1:50051");
    return { host: "127.0.0.1", port: 50051 };
  }
  return { host: (m[1] ?? "").replace(/^\[(.*)\]$/, "$1") || "0.0.0.0", port };
}

function readProviders(r: Reader, raw: Record<string, unknown>): Map<string, ProviderConfig> {
  const out = new Map<string, ProviderConfig>();
  for (const [name, value] of Object.entries(raw)) {
    const path = join("providers", name);
    const p = r.object(value, path);
    r.known(p, path, ["kind", "baseUrl", "apiKey", "timeouts", "maxConnections", "maxTokensField", ...POOL_KEYS]);
    const kind = r.oneOf(p, path, "kind", KINDS);
    if (kind !== "openai" && p["maxTokensField"] !== undefined) r.fail(join(path, "maxTokensField"), "applies only to kind openai");
    const baseUrl = r.string(p, path, "baseUrl", "");
    if (baseUrl && !/^https?:\/\/[^/]+/.test(baseUrl)) r.fail(join(path, "baseUrl"), "must be an http(s) URL");
    const apiKey = r.optionalString(p, path, "apiKey");
    const maxConnections = r.number(p, path, "maxConnections", { integer: true, min: 1, max: 4096, fallback: 64 });
    out.set(name, {
      name,
      kind,
      baseUrl: baseUrl.replace(/\/+$/, ""),
      apiKey: apiKey === undefined ? undefined : new Secret(apiKey),
      timeouts: readTimeouts(r, r.object(p["timeouts"], join(path, "timeouts"), true), join(path, "timeouts")),
      maxConnections,
      pool: readPool(r, p, path, maxConnections),
      ...(kind === "openai" ? { maxTokensField: r.oneOf(p, path, "maxTokensField", MAX_TOKENS_FIELDS, "max_tokens") } : {}),
    });
  }
  if (out.size === 0) r.fail("providers", "must name at least one provider");
  return out;
}

function readTimeouts(r: Reader, t: Record<string, unknown>, path: string): TimeoutsConfig {
  r.known(t, path, ["connectMs", "firstByteMs", "idleMs", "totalMs"]);
  const ms = (key: string, fallback: number): number => r.number(t, path, key, { integer: true, min: 1, max: 3_600_000, fallback });
  return { connectMs: ms("connectMs", 5_000), firstByteMs: ms("firstByteMs", 60_000), idleMs: ms("idleMs", 30_000), totalMs: ms("totalMs", 300_000) };
}

function readModels(r: Reader, raw: Record<string, unknown>, providers: Map<string, ProviderConfig>): Map<string, ModelConfig> {
  const out = new Map<string, ModelConfig>();
  for (const [name, value] of Object.entries(raw)) {
    const path = join("models", name);
    if (!NAME.test(name)) r.fail(path, "model names use letters, digits and . _ : / -");
    const m = r.object(value, path);
    r.known(m, path, ["provider", "upstreamModel", "pricing", "weight", "tier", "contextWindow", "defaultMaxTokens", "rpm", "tpm", "fallbacks", "capabilities", ...EMBEDDING_KEYS]);
    const provider = r.string(m, path, "provider", "");
    if (provider && !providers.has(provider)) r.fail(join(path, "provider"), `names no provider (have: ${[...providers.keys()].join(", ")})`);
    const embedding = readEmbedding(r, m, path, providers.get(provider)?.kind);
    out.set(name, {
      name,
      provider,
      upstreamModel: r.string(m, path, "upstreamModel", name),
      pricing: readPricing(r, r.object(m["pricing"], join(path, "pricing")), join(path, "pricing"), embedding !== undefined),
      weight: r.number(m, path, "weight", { min: 0, max: 1_000_000, fallback: 1 }),
      tier: r.oneOf(m, path, "tier", TIERS, "medium"),
      contextWindow: r.optionalNumber(m, path, "contextWindow", { integer: true, min: 1 }),
      defaultMaxTokens: r.number(m, path, "defaultMaxTokens", { integer: true, min: 1, fallback: 4096 }),
      rpm: r.optionalNumber(m, path, "rpm", { integer: true, min: 1 }),
      tpm: r.optionalNumber(m, path, "tpm", { integer: true, min: 1 }),
      fallbacks: r.strings(m, path, "fallbacks", []),
      capabilities: embedding ? new Set() : readCapabilities(r, m["capabilities"], join(path, "capabilities"), providers.get(provider)?.kind),
      ...(embedding ? { embedding } : {}),
    });
  }
  if (out.size === 0) r.fail("models", "must name at least one model");
  for (const model of out.values()) {
    model.fallbacks.forEach((f, i) => {
      if (!out.has(f) || f === model.name) r.fail(`models.${model.name}.fallbacks[${i}]`, `names no other model: ${f}`);
    });
  }
  return out;
}

/**
 * Capabilities of a model: the defaults of its provider's kind (tools, JSON schema and images everywhere; reasoning
 * on Anthropic and Gemini, whose current models take a thinking budget, and off on OpenAI-kind endpoints, many of
 * whose models reject reasoning_effort), each overridable with true or false.
 */
function readCapabilities(r: Reader, value: unknown, path: string, kind: ProviderKind | undefined): ReadonlySet<Capability> {
  const out = new Set<Capability>(["tools", "json_schema", "images"]);
  if (kind === "anthropic" || kind === "gemini") out.add("reasoning");
  const c = r.object(value, path, true);
  r.known(c, path, CAPABILITIES);
  for (const cap of CAPABILITIES) {
    const on = r.optionalBool(c, path, cap);
    if (on === true) out.add(cap);
    if (on === false) out.delete(cap);
  }
  return out;
}

function readPricing(r: Reader, p: Record<string, unknown>, path: string, inputOnly = false): PricingConfig {
  r.known(p, path, ["inputPerMTok", "outputPerMTok", "cachedInputPerMTok", "cacheWritePerMTok", "date"]);
  const price = (key: string, fallback?: bigint): bigint => {
    const value = p[key];
    if (value === undefined && fallback !== undefined) return fallback;
    const picos = typeof value === "number" || typeof value === "string" ? perMTokToPicoPerToken(value) : undefined;
    if (picos === undefined) r.fail(join(path, key), "must be a price in USD per million tokens, >= 0, at most 6 decimals");
    return picos ?? 0n;
  };
  const input = price("inputPerMTok");
  const date = r.optionalString(p, path, "date");
  if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) r.fail(join(path, "date"), "must be YYYY-MM-DD");
  return {
    inputPerToken: input,
    outputPerToken: price("outputPerMTok", inputOnly ? 0n : undefined),
    cachedInputPerToken: price("cachedInputPerMTok", input),
    cacheWritePerToken: price("cacheWritePerMTok", input),
    priceDate: date,
  };
}

function readRoutes(r: Reader, raw: Record<string, unknown>, models: Map<string, ModelConfig>): Map<string, RouteConfig> {
  const out = new Map<string, RouteConfig>();
  for (const [name, value] of Object.entries(raw)) {
    const path = join("routes", name);
    if (models.has(name)) r.fail(path, "a route may not have the name of a model");
    const rt = r.object(value, path);
    r.known(rt, path, ["strategy", "models", "hedge"]);
    const names = r.strings(rt, path, "models");
    if (names.length === 0) r.fail(join(path, "models"), "must list at least one model");
    names.forEach((m, i) => {
      if (!models.has(m)) r.fail(`${path}.models[${i}]`, `names no model: ${m} (have: ${[...models.keys()].join(", ")})`);
    });
    out.set(name, { name, strategy: r.oneOf(rt, path, "strategy", STRATEGIES, "ordered"), models: names, hedge: readHedge(r, rt["hedge"], join(path, "hedge")) });
  }
  return out;
}

function readHedge(r: Reader, value: unknown, path: string): HedgeConfig | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  const h = r.object(value, path);
  r.known(h, path, ["delayMs", "fallbackDelayMs"]);
  const fallbackDelayMs = r.number(h, path, "fallbackDelayMs", { integer: true, min: 1, max: 600_000, fallback: 1_000 });
  if (h["delayMs"] === "p95") return { delay: "p95", fallbackDelayMs };
  return { delay: r.number(h, path, "delayMs", { integer: true, min: 1, max: 600_000 }), fallbackDelayMs };
}

function readFailover(r: Reader, f: Record<string, unknown>): FailoverConfig {
  const path = "failover";
  r.known(f, path, [
    "maxAttempts",
    "deadlineMs",
    "firstTokenTimeoutMs",
    "backoffBaseMs",
    "backoffMaxMs",
    "rateLimitCooldownMs",
    "quotaCooldownMs",
    "maxRetryAfterMs",
    "attemptTimeoutMs",
    "streamIdleMs",
    "maxWaitMs",
    "retryBudgetRatio",
    "retryBudgetMin",
    "retryBudgetWindowMs",
  ]);
  const ms = (key: string, fallback: number, min = 1): number => r.number(f, path, key, { integer: true, min, max: 3_600_000, fallback });
  const config: FailoverConfig = {
    maxAttempts: r.number(f, path, "maxAttempts", { integer: true, min: 1, max: 20, fallback: 6 }),
    deadlineMs: ms("deadlineMs", 120_000),
    firstTokenTimeoutMs: ms("firstTokenTimeoutMs", 15_000),
    backoffBaseMs: ms("backoffBaseMs", 100),
    backoffMaxMs: ms("backoffMaxMs", 5_000),
    rateLimitCooldownMs: ms("rateLimitCooldownMs", 10_000),
    quotaCooldownMs: ms("quotaCooldownMs", 300_000),
    maxRetryAfterMs: ms("maxRetryAfterMs", 60_000),
    attemptTimeoutMs: ms("attemptTimeoutMs", 60_000),
    streamIdleMs: ms("streamIdleMs", 30_000),
    maxWaitMs: ms("maxWaitMs", 5_000, 0),
    // Half a retry per first call: a provider failing 30% of calls needs about 0.43, one failing all calls
    // then gets at most 1.5 calls per request.
    retryBudgetRatio: r.number(f, path, "retryBudgetRatio", { min: 0, max: 10, fallback: 0.5 }),
    retryBudgetMin: r.number(f, path, "retryBudgetMin", { integer: true, min: 0, max: 1_000_000, fallback: 10 }),
    retryBudgetWindowMs: ms("retryBudgetWindowMs", 10_000, 100),
  };
  if (config.backoffMaxMs < config.backoffBaseMs) r.fail(join(path, "backoffMaxMs"), "must be at least failover.backoffBaseMs");
  return config;
}

function readBreaker(r: Reader, b: Record<string, unknown>): BreakerConfig {
  const path = "breaker";
  r.known(b, path, ["consecutiveFailures", "errorRate", "windowMs", "minRequests", "cooldownMs", "initialCooldownMs", "panicBelowErrorRate"]);
  const cooldownMs = r.number(b, path, "cooldownMs", { integer: true, min: 10, max: 3_600_000, fallback: 30_000 });
  // Unless set, the first cooldown is 1 s (or the whole cooldown when that is shorter).
  const initialCooldownMs = r.number(b, path, "initialCooldownMs", { integer: true, min: 10, max: 3_600_000, fallback: Math.min(1_000, cooldownMs) });
  if (initialCooldownMs > cooldownMs) r.fail(join(path, "initialCooldownMs"), "must be at most breaker.cooldownMs");
  return {
    consecutiveFailures: r.number(b, path, "consecutiveFailures", { integer: true, min: 1, max: 1000, fallback: 5 }),
    errorRate: r.number(b, path, "errorRate", { min: 0.01, max: 1, fallback: 0.5 }),
    windowMs: r.number(b, path, "windowMs", { integer: true, min: 100, max: 3_600_000, fallback: 60_000 }),
    minRequests: r.number(b, path, "minRequests", { integer: true, min: 1, max: 100_000, fallback: 20 }),
    cooldownMs,
    initialCooldownMs,
    panicBelowErrorRate: r.number(b, path, "panicBelowErrorRate", { min: 0, max: 1, fallback: 0.5 }),
  };
}

function readLedger(r: Reader, l: Record<string, unknown>): LedgerConfig {
  r.known(l, "ledger", ["path", "retentionDays", "spillPath", ...LEDGER_PG_KEYS]);
  const path = r.string(l, "ledger", "path", "gateway-ledger.db");
  const spillPath = r.optionalString(l, "ledger", "spillPath") ?? (path === ":memory:" ? undefined : `${path}.spill`);
  if (spillPath === path || spillPath === ":memory:") r.fail("ledger.spillPath", "must be a file other than the ledger's");
  const postgres = readPostgresLedger(r, l);
  if (postgres && spillPath === undefined) r.fail("ledger.spillPath", "is required with ledger.url (rows wait there while PostgreSQL is down or slow)");
  return {
    path,
    retentionDays: r.number(l, "ledger", "retentionDays", { integer: true, min: 1, max: 36_500, fallback: 400 }),
    spillPath,
    postgres,
  };
}

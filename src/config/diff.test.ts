import { describe, expect, it } from "vitest";
import { describeChanges, diffConfig, sameDeployment } from "./diff.js";
import { validateConfig } from "./validate.js";
import type { GatewayConfig } from "./schema.js";

const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);

interface ModelDoc {
  provider: string;
  upstreamModel?: string;
  rpm?: number;
  weight?: number;
  pricing: { inputPerMTok: number; outputPerMTok: number };
}

interface Doc {
  listen: string;
  providers: Record<string, { kind: string; baseUrl: string; apiKey: string }>;
  models: Record<string, ModelDoc>;
  routes: Record<string, { strategy: string; models: string[] }>;
  ledger: Record<string, string>;
  auth: { keys: Record<string, Record<string, unknown>> };
  failover?: Record<string, number>;
  server?: Record<string, unknown>;
}

function config(patch: (doc: Doc) => void = () => undefined): GatewayConfig {
  const doc: Doc = {
    listen: "127.0.0.1:50051",
    providers: { p: { kind: "openai", baseUrl: "http://127.0.0.1:9", apiKey: "sk-one-secret" } },
    models: {
      m1: { provider: "p", pricing: { inputPerMTok: 1, outputPerMTok: 2 } },
      m2: { provider: "p", upstreamModel: "up-2", rpm: 60, pricing: { inputPerMTok: 1, outputPerMTok: 2 } },
    },
    routes: { r: { strategy: "ordered", models: ["m1", "m2"] } },
    ledger: { path: "/tmp/ledger.db" },
    auth: { keys: { alice: { sha256: SHA_A }, ops: { sha256: SHA_B, role: "admin" } } },
  };
  patch(doc);
  return validateConfig(doc);
}

describe("diffConfig", () => {
  it("finds nothing between two loads of the same text", () => {
    expect(diffConfig(config(), config())).toEqual({ changes: [], restartOnly: [] });
  });

  it("names added, removed and changed entries with the fields that changed", () => {
    const after = config((d) => {
      d.models["m1"]!.pricing.inputPerMTok = 3;
      delete d.models["m2"];
      d.routes["r"]!.models = ["m1"];
      d.models["m3"] = { provider: "p", pricing: { inputPerMTok: 1, outputPerMTok: 2 } };
      delete d.auth.keys["alice"];
      d.auth.keys["bob"] = { sha256: "c".repeat(64), rpm: 5 };
      d.failover = { maxAttempts: 5 };
    });
    const { changes, restartOnly } = diffConfig(config(), after);
    expect(restartOnly).toEqual([]);
    expect(describeChanges(changes)).toEqual([
      "models.m1 changed (pricing)",
      "models.m2 removed",
      "models.m3 added",
      "routes.r changed (models)",
      "failover changed (maxAttempts)",
      "auth.keys.alice removed",
      "auth.keys.bob added",
    ]);
  });

  it("sees a rotated provider key without printing it", () => {
    const { changes } = diffConfig(config(), config((d) => (d.providers["p"]!.apiKey = "sk-two-secret")));
    expect(describeChanges(changes)).toEqual(["providers.p changed (apiKey)"]);
    expect(JSON.stringify(changes)).not.toContain("secret");
  });

  it("names every change that needs a restart by its field", () => {
    const after = config((d) => {
      d.listen = "127.0.0.1:50052";
      d.ledger = { path: "/tmp/other.db" };
      d.server = { tls: { certFile: "/c.pem", keyFile: "/k.pem" }, limits: { maxConnections: 5 }, maxRequestBytes: 2048 };
    });
    const paths = diffConfig(config(), after).restartOnly.map((i) => i.path);
    expect(paths).toEqual(["listen", "server.tls", "server.limits", "server.maxRequestBytes", "ledger.path", "ledger.spillPath"]);
    expect(diffConfig(config(), after).restartOnly[0]?.message).toMatch(/restart/);
  });

  it("a change of a key's hash or role is a change of that key only", () => {
    const { changes } = diffConfig(config(), config((d) => (d.auth.keys["alice"] = { sha256: "d".repeat(64), role: "admin" })));
    expect(describeChanges(changes)).toEqual(["auth.keys.alice changed (sha256, role)"]);
  });
});

describe("sameDeployment", () => {
  it("keeps state across a price or weight change, not across a new upstream or limit", () => {
    const before = config().models.get("m2")!;
    expect(sameDeployment(before, config((d) => (d.models["m2"]!.pricing.outputPerMTok = 9)).models.get("m2")!)).toBe(true);
    expect(sameDeployment(before, config((d) => (d.models["m2"]!.weight = 4)).models.get("m2")!)).toBe(true);
    expect(sameDeployment(before, config((d) => (d.models["m2"]!.upstreamModel = "up-3")).models.get("m2")!)).toBe(false);
    expect(sameDeployment(before, config((d) => (d.models["m2"]!.rpm = 61)).models.get("m2")!)).toBe(false);
  });
});

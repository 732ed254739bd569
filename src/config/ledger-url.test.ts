import { describe, expect, it } from "vitest";
import { diffConfig } from "./diff.js";
import { ConfigError } from "./reader.js";
import type { GatewayConfig } from "./schema.js";
import { validateConfig } from "./validate.js";

const URL_A = "postgres://gw:Pa55-word@db.internal:5432/ledger";

function config(ledger: Record<string, unknown>): GatewayConfig {
  return validateConfig({
    providers: { p: { kind: "openai", baseUrl: "http://127.0.0.1:9", apiKey: "sk-x" } },
    models: { m: { provider: "p", pricing: { inputPerMTok: 1, outputPerMTok: 2 } } },
    auth: { enabled: false },
    ledger,
  });
}

function issues(ledger: Record<string, unknown>): string[] {
  try {
    config(ledger);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

describe("ledger.url", () => {
  it("is absent by default: the SQLite file is the ledger", () => {
    expect(config({}).ledger.postgres).toBeUndefined();
  });

  it("reads the URL as a secret, with default deadlines and pool size, and keeps the spill next to ledger.path", () => {
    const c = config({ url: URL_A });
    expect(c.ledger.postgres?.url.reveal()).toBe(URL_A);
    expect(String(c.ledger.postgres?.url)).toBe("[redacted]");
    expect(JSON.stringify(c.ledger)).not.toContain("Pa55-word");
    expect(c.ledger.postgres).toMatchObject({ timeoutMs: 5_000, reportTimeoutMs: 30_000, poolSize: 4 });
    expect(c.ledger.spillPath).toBe("gateway-ledger.db.spill");
    expect(config({ url: "postgresql://h/db", timeoutMs: 800, reportTimeoutMs: 9_000, poolSize: 9, spillPath: "/var/spill" }).ledger).toMatchObject({
      spillPath: "/var/spill",
      postgres: { timeoutMs: 800, reportTimeoutMs: 9_000, poolSize: 9 },
    });
  });

  it("refuses a malformed URL by its path, without quoting it", () => {
    for (const url of ["mysql://u:Pa55-word@h/db", "postgres://u:Pa55-word@h", "not a url Pa55-word", 5]) {
      const found = issues({ url });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/^ledger\.url: must be postgres:\/\/user:password@host:port\/database/);
      expect(found[0]).not.toContain("Pa55-word");
    }
  });

  it("needs a spill journal: rows wait there while PostgreSQL is down", () => {
    expect(issues({ url: URL_A, path: ":memory:" })).toEqual(["ledger.spillPath: is required with ledger.url (rows wait there while PostgreSQL is down or slow)"]);
    expect(issues({ url: URL_A, path: ":memory:", spillPath: "/tmp/spill" })).toEqual([]);
  });

  it("refuses PostgreSQL settings without a URL, and settings out of range", () => {
    expect(issues({ timeoutMs: 1_000 })).toEqual(["ledger.timeoutMs: applies only with ledger.url"]);
    expect(issues({ url: URL_A, poolSize: 0 })).toEqual(["ledger.poolSize: must be an integer from 1 to 100"]);
  });

  it("cannot change by a live reload: the running store stays until a restart", () => {
    const before = config({ url: URL_A });
    const paths = (after: GatewayConfig): string[] => diffConfig(before, after).restartOnly.map((i) => i.path);
    expect(paths(config({ url: URL_A }))).toEqual([]);
    expect(paths(config({ url: URL_A.replace("Pa55-word", "other") }))).toEqual(["ledger.url"]);
    expect(paths(config({}))).toEqual(["ledger.url"]);
    expect(paths(config({ url: URL_A, timeoutMs: 900 }))).toEqual(["ledger.timeoutMs"]);
    expect(JSON.stringify(diffConfig(before, config({ url: URL_A.replace("Pa55-word", "other") })))).not.toContain("Pa55-word");
  });
});

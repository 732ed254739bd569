import { describe, expect, it } from "vitest";
import { validateConfig } from "../config/validate.js";
import { AdapterSet, configSecrets } from "./adapters.js";

const config = (p2: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  validateConfig({
    providers: { p1: { kind: "openai", baseUrl: "http://127.0.0.1:9", apiKey: "sk-first-key-1" }, p2: { kind: "openai", baseUrl: "http://127.0.0.1:9", ...p2 } },
    models: { a: { provider: "p1", pricing: { inputPerMTok: 1, outputPerMTok: 1 } }, b: { provider: "p2", pricing: { inputPerMTok: 1, outputPerMTok: 1 } } },
    ledger: { path: ":memory:" },
    auth: { enabled: false },
    ...extra,
  });

describe("AdapterSet", () => {
  it("keeps the adapter of an unchanged provider, makes a new one for a changed provider, closes only the unused", async () => {
    const set = new AdapterSet();
    const first = set.adaptersFor(config({ apiKey: "sk-second-key-1" }));
    const second = set.adaptersFor(config({ apiKey: "sk-second-key-2" }));
    expect(second.get("p1")).toBe(first.get("p1"));
    expect(second.get("p2")).not.toBe(first.get("p2"));
    // A rotated key stays redacted: replaced adapters may still echo the old one.
    expect(set.redactor.text("sk-second-key-1 sk-second-key-2 sk-first-key-1")).toBe("[redacted] [redacted] [redacted]");
    await set.closeUnused(new Set(second.values()));
    const third = set.adaptersFor(config({ apiKey: "sk-second-key-2" }, { server: { maxProviderEventBytes: 2_000_000 } }));
    expect(third.get("p1")).not.toBe(second.get("p1"));
    await set.close();
  });
});

describe("configSecrets", () => {
  it("names provider keys, and the ledger's and the shared state's URLs and their passwords, for the log's redactor", () => {
    const config = validateConfig({
      providers: { p: { kind: "openai", baseUrl: "http://127.0.0.1:9", apiKey: "sk-provider-key-123456" } },
      models: { m: { provider: "p", pricing: { inputPerMTok: 1, outputPerMTok: 2 } } },
      ledger: { path: "/tmp/x.db", url: "postgres://gw:pg%21secret@127.0.0.1:5432/gw" },
      state: { redis: "redis://:redis-secret@127.0.0.1:6379/0" },
      auth: { enabled: false },
    });
    expect(configSecrets(config)).toEqual(["sk-provider-key-123456", "postgres://gw:pg%21secret@127.0.0.1:5432/gw", "pg!secret", "redis://:redis-secret@127.0.0.1:6379/0", "redis-secret"]);
  });
});


import { describe, expect, it } from "vitest";
import { ConfigError } from "./reader.js";
import { validateConfig } from "./validate.js";

const base = (extra: Record<string, unknown>) => ({
  ledger: { path: ":memory:" },
  auth: { enabled: false },
  providers: { p: { kind: "openai", baseUrl: "http://127.0.0.1:1/v1", maxConnections: 4, ...extra } },
  models: { m: { provider: "p", pricing: { inputPerMTok: 1, outputPerMTok: 1 } } },
});

describe("providers.NAME pool bounds", () => {
  it("default to a queue as long as the pool and no per-model share", () => {
    expect(validateConfig(base({})).providers.get("p")?.pool).toEqual({ maxQueued: 4, maxPerModel: 8 });
  });

  it("read maxQueued (0: no queue) and cap maxPerModel at connections plus queue", () => {
    expect(validateConfig(base({ maxQueued: 0, maxPerModel: 2 })).providers.get("p")?.pool).toEqual({ maxQueued: 0, maxPerModel: 2 });
    expect(validateConfig(base({ maxQueued: 1, maxPerModel: 100 })).providers.get("p")?.pool).toEqual({ maxQueued: 1, maxPerModel: 5 });
  });

  it("refuse values that are not counts, with the field's path", () => {
    const issues = (() => {
      try {
        validateConfig(base({ maxQueued: -1, maxPerModel: 0 }));
        return [];
      } catch (err) {
        return err instanceof ConfigError ? err.issues.map((i) => i.path) : ["other"];
      }
    })();
    expect(issues).toEqual(["providers.p.maxQueued", "providers.p.maxPerModel"]);
  });
});

import { describe, expect, it } from "vitest";
import { diffConfig } from "./diff.js";
import { ConfigError } from "./reader.js";
import { validateConfig } from "./validate.js";
import type { GatewayConfig } from "./schema.js";

const doc = (state: unknown): Record<string, unknown> => ({
  ledger: { path: ":memory:" },
  auth: { enabled: false },
  providers: { p: { kind: "openai", baseUrl: "http://127.0.0.1:1/v1" } },
  models: { m: { provider: "p", pricing: { inputPerMTok: 1, outputPerMTok: 1 } } },
  ...(state === undefined ? {} : { state }),
});

function issues(state: unknown): { path: string; message: string }[] {
  try {
    validateConfig(doc(state));
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues.map((i) => ({ path: i.path, message: i.message }));
  }
}

describe("state (where replicas share limits and budgets)", () => {
  it("is in process when absent", () => {
    const config: GatewayConfig = validateConfig(doc(undefined));
    expect(config.state).toEqual({ redis: undefined, keyPrefix: "llmgw:", timeoutMs: 250 });
  });

  it("reads a Redis URL as a secret, with the prefix and the timeout", () => {
    const state = validateConfig(doc({ redis: "redis://:pw-secret@10.0.0.5:6379/2", keyPrefix: "gw1:", timeoutMs: 100 })).state;
    expect(state.redis?.reveal()).toBe("redis://:pw-secret@10.0.0.5:6379/2");
    expect(JSON.stringify(state)).not.toContain("pw-secret");
    expect(state).toMatchObject({ keyPrefix: "gw1:", timeoutMs: 100 });
    expect(validateConfig(doc({ redis: "rediss://cache.internal" })).state.redis?.reveal()).toBe("rediss://cache.internal");
  });

  it("refuses a bad URL, prefix, timeout or field with their paths, never printing the URL", () => {
    const found = issues({ redis: "http://:pw-secret@host:6379", keyPrefix: "has space", timeoutMs: 5, cluster: true });
    expect(found.map((i) => i.path)).toEqual(["state.cluster", "state.redis", "state.keyPrefix", "state.timeoutMs"]);
    expect(JSON.stringify(found)).not.toContain("pw-secret");
    expect(issues({ redis: "redis://host:6379/notadb" }).map((i) => i.path)).toEqual(["state.redis"]);
    expect(issues("redis://host").map((i) => i.path)).toEqual(["state"]);
  });

  it("cannot change by a live reload", () => {
    const before = validateConfig(doc(undefined));
    const after = validateConfig(doc({ redis: "redis://127.0.0.1:6379/0" }));
    expect(diffConfig(before, after).restartOnly.map((i) => i.path)).toEqual(["state"]);
    expect(diffConfig(after, validateConfig(doc({ redis: "redis://127.0.0.1:6379/0" }))).restartOnly).toEqual([]);
  });
});

/** The byte bounds are read from `server` with their defaults, and a bad value is reported at its path. */
import { describe, expect, it } from "vitest";
import { ConfigError } from "./reader.js";
import { validateConfig } from "./validate.js";

const base = { providers: { p: { kind: "openai", baseUrl: "http://127.0.0.1:9" } }, models: { m: { provider: "p", pricing: { inputPerMTok: 1, outputPerMTok: 1 } } }, auth: { enabled: false } };

describe("server byte bounds", () => {
  it("default to 4 MiB answers, 1 MiB provider events and 16 MiB provider bodies", () => {
    expect(validateConfig(base).bounds).toEqual({ maxResponseBytes: 4 << 20, maxProviderEventBytes: 1 << 20, maxProviderBodyBytes: 16 << 20 });
  });

  it("take configured values", () => {
    const c = validateConfig({ ...base, server: { maxResponseBytes: 8 << 20, maxProviderEventBytes: 2 << 20, maxProviderBodyBytes: 32 << 20 } });
    expect(c.bounds).toEqual({ maxResponseBytes: 8 << 20, maxProviderEventBytes: 2 << 20, maxProviderBodyBytes: 32 << 20 });
  });

  it("report a value out of range at its path", () => {
    let err: unknown;
    try {
      validateConfig({ ...base, server: { maxProviderEventBytes: 10 } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.map((i) => i.path)).toEqual(["server.maxProviderEventBytes"]);
  });
});

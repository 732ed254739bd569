/** Model capabilities: defaults per provider kind, overrides, and path-qualified errors. */
import { describe, expect, it } from "vitest";
import { ConfigError } from "./reader.js";
import { validateConfig } from "./validate.js";

const base = (model: Record<string, unknown>, kind = "openai") => ({
  providers: { p: { kind, baseUrl: "http://127.0.0.1:9" } },
  models: { m: { provider: "p", pricing: { inputPerMTok: 1, outputPerMTok: 2 }, ...model } },
  auth: { enabled: false },
});

describe("model capabilities", () => {
  it.each([
    ["openai", ["tools", "json_schema", "images"]],
    ["anthropic", ["tools", "json_schema", "images", "reasoning"]],
    ["gemini", ["tools", "json_schema", "images", "reasoning"]],
  ])("defaults for kind %s", (kind, caps) => {
    expect([...(validateConfig(base({}, kind)).models.get("m")?.capabilities ?? [])].sort()).toEqual([...caps].sort());
  });

  it("takes overrides both ways", () => {
    const caps = validateConfig(base({ capabilities: { reasoning: true, json_schema: false } })).models.get("m")?.capabilities;
    expect([...(caps ?? [])].sort()).toEqual(["images", "reasoning", "tools"]);
  });

  it("names a wrong field or value by its path", () => {
    const issues = (() => {
      try {
        validateConfig(base({ capabilities: { tool: true, images: "yes" } }));
      } catch (err) {
        return (err as ConfigError).issues.map((i) => i.path);
      }
      return [];
    })();
    expect(issues).toEqual(["models.m.capabilities.tool", "models.m.capabilities.images"]);
  });
});

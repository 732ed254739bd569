import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { envName } from "./key-warnings.js";
import { loadConfigFile, parseConfigText } from "./load.js";

const PLAIN = "sk-plain-text-key-0042";
const ENV = { OPENAI_API_KEY: "sk-from-env", PART: "env-part" };

function yaml(apiKeys: Record<string, string>): string {
  const providers = Object.entries(apiKeys).map(([name, key]) => `  ${name}: { kind: openai, baseUrl: https://api.example.com/v1, apiKey: "${key}" }`);
  const first = Object.keys(apiKeys)[0] ?? "openai";
  return ["providers:", ...providers, "models:", `  m: { provider: ${first}, pricing: { inputPerMTok: 1, outputPerMTok: 1 } }`, "auth: { enabled: false }", ""].join("\n");
}

describe("plain-text API keys in the config", () => {
  it("warn with the field path and the variable to use, never the key", () => {
    const { config, warnings } = parseConfigText(yaml({ openai: "${OPENAI_API_KEY}", "my-azure": PLAIN }), ENV);
    expect(warnings).toEqual([`providers.my-azure.apiKey: a plain-text key in the config file; use "\${MY_AZURE_API_KEY}"`]);
    expect(warnings.join("\n")).not.toContain(PLAIN);
    // A warning, not an error: the key still works.
    expect(config.providers.get("my-azure")?.apiKey?.reveal()).toBe(PLAIN);
  });

  it("warn for a key only partly made of references", () => {
    const { warnings } = parseConfigText(yaml({ openai: "sk-${PART}", other: "${PART}${PART}" }), ENV);
    expect(warnings.map((w) => w.split(":")[0])).toEqual(["providers.openai.apiKey", "providers.other.apiKey"]);
    expect(warnings.join("\n")).not.toContain("env-part");
  });

  it("do not warn for whole ${ENV} references or providers without a key", () => {
    expect(parseConfigText(yaml({ openai: "${OPENAI_API_KEY}", b: "${PART}" }), ENV).warnings).toEqual([]);
    const keyless = "providers:\n  local: { kind: openai, baseUrl: http://127.0.0.1:8000/v1 }\nmodels:\n  m: { provider: local, pricing: { inputPerMTok: 1, outputPerMTok: 1 } }\nauth: { enabled: false }\n";
    expect(parseConfigText(keyless, ENV).warnings).toEqual([]);
  });

  it("come back from loading a file", () => {
    const dir = mkdtempSync(join(tmpdir(), "gw-keywarn-"));
    try {
      const path = join(dir, "gw.yaml");
      writeFileSync(path, yaml({ openai: PLAIN }));
      expect(loadConfigFile(path, ENV).warnings).toEqual([`providers.openai.apiKey: a plain-text key in the config file; use "\${OPENAI_API_KEY}"`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("suggest a variable name from the provider's name", () => {
    expect(envName("openai")).toBe("OPENAI_API_KEY");
    expect(envName("azure.east-2")).toBe("AZURE_EAST_2_API_KEY");
    expect(envName("9lives")).toBe("_9LIVES_API_KEY");
  });
});

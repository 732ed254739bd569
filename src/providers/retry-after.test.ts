import { describe, expect, it } from "vitest";
import { validateConfig } from "../config/validate.js";
import { anthropicWire } from "./anthropic/wire.js";
import { classifyAnthropicError } from "./anthropic/errors.js";
import { geminiWire } from "./gemini/wire.js";
import { classifyGeminiError } from "./gemini/errors.js";
import { retryAfterMs } from "./headers.js";
import { openAiWire } from "./openai/wire.js";
import { classifyOpenAiError } from "./openai/errors.js";
import { wireFor } from "./registry.js";
import type { WireFormat } from "./wire.js";

const NOW = Date.parse("2025-06-01T12:00:00Z");
const AT = { "retry-after": "Sun, 01 Jun 2025 12:00:30 GMT" };

describe("retryAfterMs", () => {
  it("measures an HTTP-date retry-after from the time it is given", () => {
    expect(retryAfterMs(AT, NOW)).toBe(30_000);
    expect(retryAfterMs(AT, NOW + 10_000)).toBe(20_000);
    expect(retryAfterMs(AT, NOW + 60_000)).toBe(0);
  });

  it("does not need the time for seconds or retry-after-ms, and ignores what does not parse", () => {
    expect(retryAfterMs({ "retry-after": "2" }, 0)).toBe(2_000);
    expect(retryAfterMs({ "retry-after-ms": "150", "retry-after": "9" }, 0)).toBe(150);
    expect(retryAfterMs({ "retry-after": "soon" }, NOW)).toBeUndefined();
    expect(retryAfterMs({}, NOW)).toBeUndefined();
  });
});

describe("each error table reads the time it is given", () => {
  it.each([
    ["openai", classifyOpenAiError],
    ["anthropic", classifyAnthropicError],
    ["gemini", classifyGeminiError],
  ] as const)("%s", (_name, classify) => {
    expect(classify(429, AT, "", NOW).retryAfterMs).toBe(30_000);
    expect(classify(429, AT, "", NOW + 25_000).retryAfterMs).toBe(5_000);
  });
});

describe("each wire format reads its injected clock at classification time", () => {
  const formats = (now: () => number): ReadonlyArray<readonly [string, WireFormat]> => [
    ["openai", openAiWire({ now })],
    ["anthropic", anthropicWire({ now })],
    ["gemini", geminiWire({ now })],
  ];

  it("measures an HTTP-date retry-after from the clock, not from the machine's time", () => {
    let t = NOW;
    for (const [name, wire] of formats(() => t)) {
      t = NOW;
      expect(wire.classifyError(429, AT, "").retryAfterMs, name).toBe(30_000);
      t = NOW + 12_000;
      expect(wire.classifyError(429, AT, "").retryAfterMs, name).toBe(18_000);
    }
  });

  it("gets the clock through the registry, as the composition root passes it", () => {
    const config = validateConfig({
      providers: { o: { kind: "openai", baseUrl: "http://127.0.0.1:9" }, a: { kind: "anthropic", baseUrl: "http://127.0.0.1:9" }, g: { kind: "gemini", baseUrl: "http://127.0.0.1:9" } },
      models: { m: { provider: "o", pricing: { inputPerMTok: 1, outputPerMTok: 2 } } },
      auth: { enabled: false },
    });
    for (const provider of config.providers.values()) {
      expect(wireFor(provider, () => NOW + 1_000).classifyError(429, AT, "").retryAfterMs, provider.name).toBe(29_000);
    }
  });
});

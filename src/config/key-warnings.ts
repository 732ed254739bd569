/** Start-up warnings for API keys written into the config file instead of referenced from the environment. */
import { join } from "./reader.js";

/** A value that is exactly one `${NAME}` reference. */
const WHOLE_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/**
 * One warning per provider whose `apiKey` in the raw (not yet substituted) document is not entirely one
 * `${ENV}` reference, naming the field path and the variable to use instead; never the key itself.
 */
export function plainTextKeyWarnings(raw: unknown): string[] {
  const warnings: string[] = [];
  for (const [name, provider] of Object.entries(asMap(asMap(raw)["providers"]))) {
    const key = asMap(provider)["apiKey"];
    if (typeof key !== "string" || key === "" || WHOLE_REFERENCE.test(key)) continue;
    warnings.push(`${join(join("providers", name), "apiKey")}: a plain-text key in the config file; use "\${${envName(name)}}"`);
  }
  return warnings;
}

/** The environment variable suggested for a provider's key: OPENAI_API_KEY for "openai". */
export function envName(provider: string): string {
  const base = provider.toUpperCase().replace(/[^A-Z0-9]+/g, "_").replace(/^_+|_+$/g, "");
  return `${/^[0-9]/.test(base) ? "_" : ""}${base}_API_KEY`.replace(/^_API_KEY$/, "API_KEY");
}

/** The value as a map to read fields of; an empty one when it is not a map. */
function asMap(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

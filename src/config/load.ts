/** Reads a YAML config file, substitutes `${ENV}` references and validates it. */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { ConfigError } from "./reader.js";
import type { ConfigIssue } from "./reader.js";
import type { GatewayConfig } from "./schema.js";
import { validateConfig } from "./validate.js";
import { plainTextKeyWarnings } from "./key-warnings.js";

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** A validated config and the warnings its text gave, each naming a field path (never a secret), to log once at start. */
export interface LoadedConfig {
  readonly config: GatewayConfig;
  readonly warnings: readonly string[];
}

/** Loads and validates the config at `path`, with its warnings; throws ConfigError with path-qualified issues. */
export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError([{ path: "(file)", message: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? "error"}` }]);
  }
  return parseConfigText(text, env);
}

/** Parses YAML text into a validated config. */
export function parseConfig(text: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return parseConfigText(text, env).config;
}

/** Parses YAML text into a validated config and its warnings (a plain-text API key, for one). */
export function parseConfigText(text: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new ConfigError([{ path: "(yaml)", message: (err as Error).message.split("\n")[0] ?? "malformed YAML" }]);
  }
  const issues: ConfigIssue[] = [];
  const substituted = substitute(raw, "", env, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  return { config: validateConfig(substituted), warnings: plainTextKeyWarnings(raw) };
}

/** Replaces `${NAME}` in every string with the environment variable; a missing one is an issue. */
function substitute(value: unknown, path: string, env: NodeJS.ProcessEnv, issues: ConfigIssue[]): unknown {
  if (typeof value === "string") {
    return value.replace(REF, (_, name: string) => {
      const v = env[name];
      if (v === undefined || v === "") issues.push({ path: path || "(root)", message: `environment variable ${name} is not set` });
      return v ?? "";
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, `${path}[${i}]`, env, issues));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, path ? `${path}.${k}` : k, env, issues);
    return out;
  }
  return value;
}

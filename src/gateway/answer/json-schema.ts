/** JSON Schema compilation with ajv (draft 2020-12), cached by schema text: one compile per distinct schema. */
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";

/** Formats are annotations (2020-12's default); unknown keywords are tolerated, as providers tolerate them. */
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: false });

/** Compiled schemas by their JSON text; bounded, oldest evicted first. */
const cache = new Map<string, ValidateFunction>();
const CACHE_MAX = 256;

/** A compiled schema, or the reason the schema is not valid JSON Schema. */
export type Compiled = { readonly ok: true; readonly validate: ValidateFunction } | { readonly ok: false; readonly reason: string };

/** Compiles a schema (parsed JSON); the result for the same schema text is cached. */
export function compileSchema(schema: unknown): Compiled {
  const key = JSON.stringify(schema);
  const hit = cache.get(key);
  if (hit) return { ok: true, validate: hit };
  try {
    const validate = ajv.compile(schema as object);
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(key, validate);
    return { ok: true, validate };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message.slice(0, 300) : "invalid schema" };
  }
}

/** The first validation error of the last `validate` call, as "path: message". */
export function firstError(errors: ErrorObject[] | null | undefined): string {
  const e = errors?.[0];
  if (!e) return "does not match";
  return `${e.instancePath || "(root)"} ${e.message ?? "does not match"}`;
}

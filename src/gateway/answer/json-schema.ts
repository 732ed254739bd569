/** JSON Schema compilation with ajv (draft 2020-12), cached by schema text: one compile per distinct schema. */
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";

/**
 * Formats are annotations (2020-12's default); unknown keywords are tolerated, as providers tolerate them. A
 * schema's `$id` is not registered (addUsedSchema): clients' schemas must not see, or collide with, each other's.
 */
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: false, addUsedSchema: false });

/** Compiled schemas by their JSON text, with the schema object ajv keeps them under; bounded, oldest evicted first (from ajv too). */
const cache = new Map<string, { readonly validate: ValidateFunction; readonly schema: object }>();
const CACHE_MAX = 256;

/** A compiled schema, or the reason the schema is not valid JSON Schema. */
export type Compiled = { readonly ok: true; readonly validate: ValidateFunction } | { readonly ok: false; readonly reason: string };

/** Compiles a schema (parsed JSON); the result for the same schema text is cached. */
export function compileSchema(schema: unknown): Compiled {
  const key = JSON.stringify(schema);
  const hit = cache.get(key);
  if (hit) return { ok: true, validate: hit.validate };
  try {
    const validate = ajv.compile(schema as object);
    if (cache.size >= CACHE_MAX) {
      const [oldest, entry] = cache.entries().next().value as [string, { schema: object }];
      cache.delete(oldest);
      ajv.removeSchema(entry.schema);
    }
    cache.set(key, { validate, schema: schema as object });
    return { ok: true, validate };
  } catch (err) {
    // ajv may keep what it began to compile: let it go.
    try {
      ajv.removeSchema(schema as object);
    } catch {
      // not there
    }
    return { ok: false, reason: err instanceof Error ? err.message.slice(0, 300) : "invalid schema" };
  }
}

/** The first validation error of the last `validate` call, as "path: message". */
export function firstError(errors: ErrorObject[] | null | undefined): string {
  const e = errors?.[0];
  if (!e) return "does not match";
  return `${e.instancePath || "(root)"} ${e.message ?? "does not match"}`;
}

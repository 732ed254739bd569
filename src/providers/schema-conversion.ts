/** The frame every provider's JSON Schema conversion shares: a result type, a way to give up, and schema paths. */

/** The converted schema, or where and why no faithful conversion exists (`path` relative to the schema root). */
export type SchemaConversion =
  | { readonly schema: Record<string, unknown> }
  | { readonly unsupported: { readonly path: string; readonly reason: string } };

/** Thrown inside a conversion's recursion; turned into `unsupported` by `convertSchema`. */
export class Untranslatable extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Runs a recursive node conversion from the root, turning an Untranslatable into `unsupported`. */
export function convertSchema(
  schema: Readonly<Record<string, unknown>>,
  convert: (node: Readonly<Record<string, unknown>>, path: string) => Record<string, unknown>,
): SchemaConversion {
  try {
    return { schema: convert(schema, "") };
  } catch (err) {
    if (err instanceof Untranslatable) return { unsupported: { path: err.path, reason: err.reason } };
    throw err;
  }
}

/** `base.key`, or `key` at the root. */
export function at(base: string, key: string): string {
  return base === "" ? key : `${base}.${key}`;
}

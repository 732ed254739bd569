/**
 * JSON Schema -> the keywords Gemini's `responseJsonSchema` and `parametersJsonSchema` accept:
 * `$id $defs $ref $anchor type format title description enum items prefixItems minItems maxItems minimum maximum
 * anyOf properties additionalProperties required propertyOrdering` (TOOLS.md section 1).
 * Converted: `const` -> one-value `enum`, `oneOf` -> `anyOf`, `definitions` -> `$defs`, tuple `items` -> `prefixItems`,
 * `exclusiveMinimum`/`exclusiveMaximum` -> the (looser) inclusive bound, a one-schema `allOf` merged into its node,
 * a `$ref` with sibling keywords -> `{siblings, anyOf:[{$ref}]}` (a `$ref` node may carry only `$` keys).
 * Dropped: annotations (`$schema`, `$comment`, `examples`, `default`...) and validation-only keywords the API rejects
 * (`pattern`, `minLength`, `multipleOf`, `not`, `uniqueItems`...); the gateway validates JSON answers against the
 * client's full schema. No faithful translation: an `allOf` of several schemas, `anyOf` and `oneOf` together.
 */
import { isObject } from "../headers.js";
import { at, convertSchema, Untranslatable } from "../schema-conversion.js";
import type { SchemaConversion } from "../schema-conversion.js";

/** The result of a conversion, re-exported for the adapter. */
export type { SchemaConversion } from "../schema-conversion.js";

/** Keywords copied as they are. */
const KEPT = new Set(["$id", "$anchor", "type", "format", "title", "description", "enum", "minItems", "maxItems", "minimum", "maximum", "required", "propertyOrdering"]);

/** Converts a (parsed, valid) JSON Schema to the keywords Gemini's JSON-Schema fields accept. */
export function toGeminiSchema(schema: Readonly<Record<string, unknown>>): SchemaConversion {
  return convertSchema(schema, convertNode);
}

/** A subschema: booleans (any / no value) stay as they are. */
function convert(node: unknown, path: string): unknown {
  return isObject(node) ? convertNode(node, path) : node;
}

/** Each value of a map of subschemas (`properties`, `$defs`) converted; the keys are names, not keywords. */
function convertMap(map: unknown, path: string): Record<string, unknown> | undefined {
  if (!isObject(map)) return undefined;
  return Object.fromEntries(Object.entries(map).map(([name, sub]) => [name, convert(sub, at(path, name))]));
}

function convertNode(input: Readonly<Record<string, unknown>>, path: string): Record<string, unknown> {
  const node = mergeAllOf(input, path);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) if (KEPT.has(key)) out[key] = value;
  if ("const" in node) out["enum"] = [node["const"]];
  const defs = { ...convertMap(node["definitions"], at(path, "definitions")), ...convertMap(node["$defs"], at(path, "$defs")) };
  if (Object.keys(defs).length > 0) out["$defs"] = defs;
  const props = convertMap(node["properties"], at(path, "properties"));
  if (props !== undefined) out["properties"] = props;
  if (Array.isArray(node["items"])) out["prefixItems"] = node["items"].map((s, i) => convert(s, at(path, `items[${i}]`)));
  else if (node["items"] !== undefined) out["items"] = convert(node["items"], at(path, "items"));
  if (Array.isArray(node["prefixItems"])) out["prefixItems"] = node["prefixItems"].map((s, i) => convert(s, at(path, `prefixItems[${i}]`)));
  if (node["additionalProperties"] !== undefined) out["additionalProperties"] = convert(node["additionalProperties"], at(path, "additionalProperties"));
  if (Array.isArray(node["anyOf"]) && Array.isArray(node["oneOf"])) {
    throw new Untranslatable(at(path, "oneOf"), "Gemini reads oneOf as anyOf, so a node with both has no equivalent");
  }
  const choice = Array.isArray(node["anyOf"]) ? "anyOf" : Array.isArray(node["oneOf"]) ? "oneOf" : undefined;
  if (choice !== undefined) out["anyOf"] = (node[choice] as unknown[]).map((s, i) => convert(s, at(path, `${choice}[${i}]`)));
  for (const [exclusive, bound] of [["exclusiveMinimum", "minimum"], ["exclusiveMaximum", "maximum"]] as const) {
    if (typeof node[exclusive] === "number" && out[bound] === undefined) out[bound] = node[exclusive];
  }
  return typeof node["$ref"] === "string" ? withRef(out, node["$ref"], path) : out;
}

/** A `$ref` node keeps only `$` keys; other keywords move beside it through a one-branch `anyOf`. */
function withRef(out: Record<string, unknown>, ref: string, path: string): Record<string, unknown> {
  const target = ref.replace(/^#\/definitions\//, "#/$defs/");
  const dollar = Object.fromEntries(Object.entries(out).filter(([k]) => k.startsWith("$")));
  const rest = Object.fromEntries(Object.entries(out).filter(([k]) => !k.startsWith("$")));
  if (Object.keys(rest).length === 0) return { ...dollar, $ref: target };
  if (rest["anyOf"] !== undefined) throw new Untranslatable(at(path, "$ref"), "a $ref beside anyOf/oneOf has no Gemini equivalent");
  return { ...dollar, ...rest, anyOf: [{ $ref: target }] };
}

/** A node with a one-schema `allOf` folded in (keywords must not clash); several schemas have no equivalent. */
function mergeAllOf(node: Readonly<Record<string, unknown>>, path: string): Readonly<Record<string, unknown>> {
  const all = node["allOf"];
  if (!Array.isArray(all)) return node;
  const { allOf: _, ...rest } = node;
  if (all.length === 0) return rest;
  const [only] = all;
  if (all.length > 1 || !isObject(only)) throw new Untranslatable(at(path, "allOf"), "Gemini takes no allOf; only a single-schema allOf can be merged");
  const clash = Object.keys(only).find((k) => k in rest && k !== "description" && k !== "title");
  if (clash !== undefined) throw new Untranslatable(at(path, `allOf[0].${clash}`), `allOf repeats ${clash} of its node; Gemini takes no allOf`);
  return { ...only, ...rest };
}

/**
 * JSON Schema -> the subset Anthropic's structured outputs (output_config.format, strict tools) accept.
 * Kept: type, properties, required, items, enum, const, description, title, anyOf (oneOf becomes anyOf), allOf,
 * local $ref/$defs/definitions, the string formats it knows, minItems 0 or 1. Every object gets
 * `additionalProperties: false` (required there). Validation keywords it rejects (numeric and length bounds,
 * pattern, uniqueItems...) are dropped from the schema and quoted in the node's description as a hint to the
 * model; the gateway validates the answer against the full schema, so the client's guarantee holds.
 */
import { isObject } from "../headers.js";
import { at, convertSchema, Untranslatable } from "../schema-conversion.js";
import type { SchemaConversion } from "../schema-conversion.js";

/** The result of a conversion, re-exported for the adapter. */
export type { SchemaConversion } from "../schema-conversion.js";

const FORMATS = new Set(["date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"]);
/** Annotations with no meaning for generation, dropped. */
const DROPPED = new Set(["$schema", "$id", "$comment", "$anchor"]);
/** Keywords this conversion handles itself. */
const HANDLED = new Set([
  "$ref", "$defs", "definitions", "type", "anyOf", "oneOf", "allOf", "description", "title", "const", "enum",
  "properties", "required", "additionalProperties", "items", "format", "minItems",
]);

/** Converts a (parsed, valid) JSON Schema to Anthropic's structured-output subset. */
export function toAnthropicSchema(schema: Readonly<Record<string, unknown>>): SchemaConversion {
  return convertSchema(schema, convert);
}

/** The type a node without `type` has, from its keywords; undefined when it admits any value. */
function inferType(s: Readonly<Record<string, unknown>>): string | undefined {
  if (s["properties"] !== undefined) return "object";
  if (s["items"] !== undefined) return "array";
  const values = "const" in s ? [s["const"]] : Array.isArray(s["enum"]) ? s["enum"] : [];
  const kinds = new Set(values.map((v) => (v === null ? "null" : typeof v)));
  const [only] = kinds;
  return kinds.size === 1 && only !== undefined && ["string", "number", "boolean", "null"].includes(only) ? only : undefined;
}

function convert(node: unknown, path: string): Record<string, unknown> {
  if (!isObject(node)) throw new Untranslatable(path, "boolean schemas (any value / no value) have no Anthropic equivalent");
  const out: Record<string, unknown> = {};
  for (const key of ["$defs", "definitions"]) {
    const defs = node[key];
    if (isObject(defs)) out[key] = Object.fromEntries(Object.entries(defs).map(([n, d]) => [n, convert(d, at(path, `${key}.${n}`))]));
  }
  if (typeof node["$ref"] === "string") {
    if (!node["$ref"].startsWith("#")) throw new Untranslatable(at(path, "$ref"), "Anthropic takes local references only");
    return { ...out, $ref: node["$ref"] };
  }
  const type = node["type"];
  if (Array.isArray(type)) return typeUnion(node, type, path);
  const combinator = Array.isArray(node["anyOf"]) ? node["anyOf"] : Array.isArray(node["oneOf"]) ? node["oneOf"] : undefined;
  const combKey = Array.isArray(node["anyOf"]) ? "anyOf" : "oneOf";
  if (combinator) out["anyOf"] = combinator.map((v, i) => convert(v, at(path, `${combKey}[${i}]`)));
  if (Array.isArray(node["allOf"])) out["allOf"] = node["allOf"].map((v, i) => convert(v, at(path, `allOf[${i}]`)));
  const kind = typeof type === "string" ? type : combinator || out["allOf"] ? undefined : inferType(node);
  if (kind === undefined && !combinator && !out["allOf"]) throw new Untranslatable(path, "a schema without a type (any value) has no Anthropic equivalent");
  if (kind !== undefined) out["type"] = kind;
  for (const key of ["description", "title", "const", "enum"]) if (key in node) out[key] = node[key];
  const hints: Record<string, unknown> = {};
  if (kind === "object") objectKeywords(node, out, path);
  if (kind === "array") {
    if (Array.isArray(node["items"])) throw new Untranslatable(at(path, "items"), "tuple items have no Anthropic equivalent");
    if (node["items"] !== undefined) out["items"] = convert(node["items"], at(path, "items"));
    const min = node["minItems"];
    if (min === 0 || min === 1) out["minItems"] = min;
    else if (min !== undefined) hints["minItems"] = min;
  }
  if (kind === "string" && node["format"] !== undefined) {
    if (typeof node["format"] === "string" && FORMATS.has(node["format"])) out["format"] = node["format"];
    else hints["format"] = node["format"];
  }
  for (const [key, value] of Object.entries(node)) if (!HANDLED.has(key) && !DROPPED.has(key)) hints[key] = value;
  return withHints(out, hints);
}

/** Object keywords: properties converted, required kept, additionalProperties false (a map has no equivalent). */
function objectKeywords(node: Readonly<Record<string, unknown>>, out: Record<string, unknown>, path: string): void {
  const extra = node["additionalProperties"];
  if (isObject(extra)) throw new Untranslatable(at(path, "additionalProperties"), "objects with free keys (a schema for additionalProperties) have no Anthropic equivalent");
  if (node["patternProperties"] !== undefined) throw new Untranslatable(at(path, "patternProperties"), "patternProperties has no Anthropic equivalent");
  const props = isObject(node["properties"]) ? node["properties"] : {};
  out["properties"] = Object.fromEntries(Object.entries(props).map(([n, p]) => [n, convert(p, at(path, `properties.${n}`))]));
  if (Array.isArray(node["required"])) out["required"] = node["required"];
  out["additionalProperties"] = false;
}

/** `type: [A, B]` as `anyOf: [{type: A, ...}, {type: B, ...}]` (Anthropic takes no type lists). */
function typeUnion(node: Readonly<Record<string, unknown>>, types: readonly unknown[], path: string): Record<string, unknown> {
  const { description, title, ...rest } = node;
  if (types.length === 1) return convert({ ...node, type: types[0] }, path);
  const out: Record<string, unknown> = { anyOf: types.map((t) => (t === "null" ? { type: "null" } : convert({ ...rest, type: t }, path))) };
  if (description !== undefined) out["description"] = description;
  if (title !== undefined) out["title"] = title;
  return out;
}

/** The node with its dropped constraints quoted in its description. */
function withHints(out: Record<string, unknown>, hints: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const entries = Object.entries(hints);
  if (entries.length === 0) return out;
  const quoted = `{${entries.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(", ")}}`;
  const before = typeof out["description"] === "string" ? `${out["description"]}\n\n` : "";
  return { ...out, description: before + quoted };
}

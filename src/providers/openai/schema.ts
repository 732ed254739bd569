/**
 * JSON Schema -> OpenAI's strict subset (Structured Outputs "supported schemas"): every object closed with
 * `additionalProperties:false` and every property required, optional ones made nullable instead.
 */

/** A JSON Schema node. */
type Node = Record<string, unknown>;

/** Thrown inside the conversion when a schema has no faithful strict form. */
class NotStrict extends Error {}

/**
 * Keywords that only narrow validation and that strict mode rejects: dropped (the gateway validates JSON answers
 * against the full schema itself). Annotation keywords strict mode rejects (`default`, `examples`) go too.
 */
const DROPPED = new Set([
  "$schema",
  "$id",
  "$comment",
  "default",
  "examples",
  "minLength",
  "maxLength",
  "minProperties",
  "maxProperties",
  "propertyNames",
  "uniqueItems",
  "contains",
  "minContains",
  "maxContains",
  "unevaluatedItems",
  "not",
  "if",
  "then",
  "else",
  "dependentRequired",
  "dependentSchemas",
  "dependencies",
]);

/** Keywords with no strict equivalent that change which values (or properties) are allowed beyond narrowing. */
const UNSUPPORTED = new Set(["allOf", "patternProperties", "prefixItems", "additionalItems", "$dynamicRef", "$recursiveRef"]);

/** Keywords whose value is a map of schemas. */
const SCHEMA_MAPS = new Set(["properties", "$defs", "definitions"]);

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The strict form of a tool's parameters or a response schema, or undefined when it has none (root not an object,
 * an open map, `allOf`...): the caller then sends it with `strict:false`.
 */
export function toStrictSchema(schema: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  if (schema["type"] !== "object") return undefined;
  try {
    return convert(schema);
  } catch (e) {
    if (e instanceof NotStrict) return undefined;
    throw e;
  }
}

/** True for a node whose values may be objects (its object keywords then apply). */
function isObjectNode(s: Node): boolean {
  const type = s["type"];
  if (Array.isArray(type)) return type.includes("object");
  return type === "object" || (type === undefined && isNode(s["properties"]));
}

function convert(s: Node): Node {
  const out: Node = {};
  for (const [key, value] of Object.entries(s)) {
    if (DROPPED.has(key)) continue;
    if (UNSUPPORTED.has(key)) throw new NotStrict(key);
    if (key === "const") out["enum"] = [value];
    else if (key === "oneOf" || key === "anyOf") out["anyOf"] = list(value).map(sub);
    else if (SCHEMA_MAPS.has(key)) out[key] = map(value);
    else if (key === "items") out[key] = Array.isArray(value) ? notStrict("items as a tuple") : sub(value);
    else out[key] = value;
  }
  if ("oneOf" in s && "anyOf" in s) notStrict("oneOf and anyOf together");
  return isObjectNode(s) ? closeObject(s, out) : out;
}

/** Closes an object node: all properties required (optional ones nullable), no additional properties. */
function closeObject(s: Node, out: Node): Node {
  const extra = s["additionalProperties"] ?? s["unevaluatedProperties"];
  if (extra !== undefined && extra !== false) notStrict("an open object");
  if (!isNode(s["properties"])) {
    // `{type:"object"}` accepts any object; closing it would allow only {}.
    if (extra === undefined) notStrict("an object without properties");
  }
  delete out["unevaluatedProperties"];
  const props = isNode(out["properties"]) ? out["properties"] : {};
  const required = new Set(Array.isArray(s["required"]) ? s["required"].filter((r): r is string => typeof r === "string") : []);
  const closed: Node = {};
  for (const [name, prop] of Object.entries(props)) closed[name] = required.has(name) ? prop : nullable(isNode(prop) ? prop : {});
  out["properties"] = closed;
  out["required"] = Object.keys(closed);
  out["additionalProperties"] = false;
  return out;
}

/** The node accepting null as well (how strict mode says "optional"). */
export function nullable(s: Node): Node {
  const type = s["type"];
  if (typeof type === "string") return type === "null" ? s : withNullEnum({ ...s, type: [type, "null"] });
  if (Array.isArray(type)) return type.includes("null") ? s : withNullEnum({ ...s, type: [...type, "null"] });
  if (Array.isArray(s["enum"])) return withNullEnum(s);
  if (Array.isArray(s["anyOf"])) {
    const options = s["anyOf"] as unknown[];
    return options.some((o) => isNode(o) && o["type"] === "null") ? s : { ...s, anyOf: [...options, { type: "null" }] };
  }
  const { description, ...rest } = s;
  return { anyOf: [rest, { type: "null" }], ...(description !== undefined ? { description } : {}) };
}

function withNullEnum(s: Node): Node {
  const values = s["enum"];
  return Array.isArray(values) && !values.includes(null) ? { ...s, enum: [...values, null] } : s;
}

function sub(value: unknown): Node {
  return isNode(value) ? convert(value) : notStrict("a boolean schema");
}

function map(value: unknown): Node {
  if (!isNode(value)) return notStrict("a malformed schema map");
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sub(v)]));
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : notStrict("a malformed schema list");
}

function notStrict(what: string): never {
  throw new NotStrict(what);
}

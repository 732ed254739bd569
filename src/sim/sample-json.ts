/** A deterministic JSON value matching a (simple) JSON Schema: what a well-behaved simulated model answers. */

/** Reads a schema node as an object, or an empty one. */
function node(schema: unknown): Record<string, unknown> {
  return typeof schema === "object" && schema !== null && !Array.isArray(schema) ? (schema as Record<string, unknown>) : {};
}

/** The first type a node names. */
function typeOf(s: Record<string, unknown>): string | undefined {
  const t = s["type"];
  if (typeof t === "string") return t;
  if (Array.isArray(t)) return t.find((x): x is string => typeof x === "string" && x !== "null") ?? "null";
  if (s["properties"] !== undefined) return "object";
  if (s["items"] !== undefined) return "array";
  return undefined;
}

/** Resolves a local `#/$defs/x` or `#/definitions/x` reference against the root. */
function deref(s: Record<string, unknown>, root: Record<string, unknown>): Record<string, unknown> {
  const ref = s["$ref"];
  if (typeof ref !== "string" || !ref.startsWith("#/")) return s;
  let at: unknown = root;
  for (const key of ref.slice(2).split("/")) at = node(at)[key];
  return node(at);
}

/** A sample value for a schema; depth-bounded, so recursive schemas end. */
export function sampleJson(schema: unknown, root: unknown = schema, depth = 0): unknown {
  const s = deref(node(schema), node(root));
  if ("const" in s) return s["const"];
  if (Array.isArray(s["enum"]) && s["enum"].length > 0) return s["enum"][0];
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const options = s[key];
    if (Array.isArray(options) && options.length > 0) return sampleJson(options[0], root, depth + 1);
  }
  switch (typeOf(s)) {
    case "object": {
      const out: Record<string, unknown> = {};
      const props = node(s["properties"]);
      if (depth > 6) return out;
      for (const [name, sub] of Object.entries(props)) out[name] = sampleJson(sub, root, depth + 1);
      return out;
    }
    case "array": {
      const min = typeof s["minItems"] === "number" ? s["minItems"] : 1;
      return depth > 6 ? [] : Array.from({ length: Math.max(min, 1) }, () => sampleJson(s["items"], root, depth + 1));
    }
    case "string":
      return typeof s["minLength"] === "number" && s["minLength"] > 5 ? "x".repeat(s["minLength"]) : "Paris";
    case "integer":
      return typeof s["minimum"] === "number" ? Math.ceil(s["minimum"]) : 1;
    case "number":
      return typeof s["minimum"] === "number" ? s["minimum"] : 1.5;
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return "Paris";
  }
}

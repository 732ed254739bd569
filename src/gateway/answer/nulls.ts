/** Removes the nulls a provider's strict mode puts where the client's schema has an optional property that takes no null. */

type Node = Readonly<Record<string, unknown>>;

function node(value: unknown): Node | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Node) : undefined;
}

/** Resolves a local `#/...` reference against the root schema. */
function deref(s: Node, root: Node): Node {
  const ref = s["$ref"];
  if (typeof ref !== "string" || !ref.startsWith("#/")) return s;
  let at: unknown = root;
  for (const key of ref.slice(2).split("/")) at = node(at)?.[key.replace(/~1/g, "/").replace(/~0/g, "~")];
  return node(at) ?? {};
}

/** True when a schema node may take null (or says nothing of its type). */
function takesNull(s: Node, root: Node): boolean {
  const n = deref(s, root);
  const type = n["type"];
  if (type === "null" || (Array.isArray(type) && type.includes("null"))) return true;
  if (Array.isArray(n["enum"])) return n["enum"].includes(null);
  if ("const" in n) return n["const"] === null;
  for (const key of ["anyOf", "oneOf"]) {
    const options = n[key];
    if (Array.isArray(options)) return options.some((o) => takesNull(node(o) ?? {}, root));
  }
  return type === undefined;
}

/**
 * The value with every null removed where the schema has an optional property that takes no null, in objects
 * and arrays at any depth; the same value (===) when there is nothing to remove.
 */
export function withoutNulls(value: unknown, schema: Node, root: Node = schema, depth = 0): unknown {
  if (depth > 32) return value;
  const s = deref(schema, root);
  if (Array.isArray(value)) {
    const items = node(s["items"]);
    if (!items) return value;
    let out: unknown[] | undefined;
    value.forEach((v, i) => {
      const w = withoutNulls(v, items, root, depth + 1);
      if (w !== v) (out ??= [...value])[i] = w;
    });
    return out ?? value;
  }
  const obj = node(value);
  const props = node(s["properties"]);
  if (!obj || !props) return value;
  const required = new Set(Array.isArray(s["required"]) ? (s["required"] as unknown[]) : []);
  let out: Record<string, unknown> | undefined;
  for (const [key, v] of Object.entries(obj)) {
    const prop = node(props[key]);
    if (!prop) continue;
    if (v === null && !required.has(key) && !takesNull(prop, root)) {
      out ??= { ...obj };
      delete out[key];
      continue;
    }
    const w = withoutNulls(v, prop, root, depth + 1);
    if (w !== v) (out ??= { ...obj })[key] = w;
  }
  return out ?? value;
}

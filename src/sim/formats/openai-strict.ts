/** The simulated OpenAI's rule for `strict:true` schemas (Structured Outputs "supported schemas"), as the API 400s. */

type Node = Record<string, unknown>;

/** Keywords strict mode rejects. */
const REJECTED = ["allOf", "not", "if", "then", "else", "dependentRequired", "dependentSchemas", "patternProperties", "default", "minLength", "maxLength", "uniqueItems"];

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Why a schema cannot be used with `strict:true`, as OpenAI says it; undefined when it can. */
export function strictSchemaProblem(schema: unknown): string | undefined {
  if (!isNode(schema) || schema["type"] !== "object") return "schema must be a JSON Schema of 'type: \"object\"'";
  return problem(schema, "root");
}

function problem(s: Node, at: string): string | undefined {
  for (const key of REJECTED) if (key in s) return `In context=${at}, '${key}' is not permitted`;
  const type = s["type"];
  const isObject = type === "object" || (Array.isArray(type) && type.includes("object"));
  if (isObject) {
    if (s["additionalProperties"] !== false) return `In context=${at}, 'additionalProperties' is required to be supplied and to be false`;
    const props = isNode(s["properties"]) ? Object.keys(s["properties"]) : [];
    const required = Array.isArray(s["required"]) ? s["required"] : [];
    const missing = props.find((p) => !required.includes(p));
    if (missing !== undefined) return `In context=${at}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'`;
  }
  for (const [key, value] of Object.entries(s)) {
    if ((key === "properties" || key === "$defs" || key === "definitions") && isNode(value)) {
      for (const [name, sub] of Object.entries(value)) {
        const p = isNode(sub) ? problem(sub, `${at}.${key}.${name}`) : `In context=${at}.${key}.${name}, schema must be an object`;
        if (p !== undefined) return p;
      }
    } else if (key === "items" && isNode(value)) {
      const p = problem(value, `${at}.items`);
      if (p !== undefined) return p;
    } else if ((key === "anyOf" || key === "oneOf") && Array.isArray(value)) {
      if (key === "oneOf") return `In context=${at}, 'oneOf' is not permitted`;
      for (const [i, sub] of value.entries()) {
        const p = isNode(sub) ? problem(sub, `${at}.anyOf[${i}]`) : undefined;
        if (p !== undefined) return p;
      }
    }
  }
  return undefined;
}

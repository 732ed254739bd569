/** The 400s the simulated Gemini answers where the real API refuses a request: what translation bugs look like. */

/** Keywords of Gemini's OpenAPI `Schema` (tool `parameters`, `responseSchema`). */
const SCHEMA_KEYS = new Set([
  "anyOf", "default", "description", "enum", "example", "format", "items", "maxItems", "maxLength", "maxProperties", "maximum",
  "minItems", "minLength", "minProperties", "minimum", "nullable", "pattern", "properties", "propertyOrdering", "required", "title", "type",
]);
/** Keywords `responseJsonSchema` (and here `parametersJsonSchema`) accept. */
const JSON_SCHEMA_KEYS = new Set([
  "$id", "$defs", "$ref", "$anchor", "type", "format", "title", "description", "enum", "items", "prefixItems", "minItems", "maxItems",
  "minimum", "maximum", "anyOf", "oneOf", "properties", "additionalProperties", "required", "propertyOrdering",
]);
/** Image types Gemini takes. */
const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/webp", "image/heic", "image/heif"]);
const MODES = new Set(["AUTO", "ANY", "NONE", "VALIDATED"]);

type Obj = Record<string, unknown>;

/** A plain object, or undefined. */
export function obj(v: unknown): Obj | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** The objects of an array field (non-objects left out). */
export function objects(v: unknown): Obj[] {
  return Array.isArray(v) ? v.map(obj).filter((o): o is Obj => o !== undefined) : [];
}

/** The first keyword of a schema outside `allowed` (property and definition names are not keywords), as an error. */
export function schemaProblem(schema: unknown, allowed: ReadonlySet<string>, path: string): string | undefined {
  const node = obj(schema);
  if (node === undefined) return undefined;
  for (const key of Object.keys(node)) {
    if (!allowed.has(key)) return `Invalid JSON payload received. Unknown name "${key}" at '${path}': Cannot find field.`;
  }
  if (allowed === SCHEMA_KEYS && Array.isArray(node["type"])) return `Invalid value at '${path}.type': Proto field is not repeating, cannot start list.`;
  if (typeof node["$ref"] === "string" && Object.keys(node).some((k) => !k.startsWith("$"))) return `'${path}': a $ref may only have other $ keywords beside it`;
  const subs: Array<[unknown, string]> = [];
  for (const map of ["properties", "$defs"]) for (const [k, v] of Object.entries(obj(node[map]) ?? {})) subs.push([v, `${path}.${map}.${k}`]);
  for (const list of ["anyOf", "oneOf", "prefixItems"]) if (Array.isArray(node[list])) node[list].forEach((v: unknown, i: number) => subs.push([v, `${path}.${list}[${i}]`]));
  subs.push([node["items"], `${path}.items`], [node["additionalProperties"], `${path}.additionalProperties`]);
  for (const [sub, at] of subs) {
    const bad = schemaProblem(sub, allowed, at);
    if (bad) return bad;
  }
  return undefined;
}

/** A problem in one schema-or-JSON-schema pair of fields (a declaration's parameters, the response schema). */
function pairProblem(o: Obj, openApi: string, json: string, path: string): string | undefined {
  if (o[openApi] !== undefined && o[json] !== undefined) return `${path}: ${openApi} and ${json} are mutually exclusive`;
  return schemaProblem(o[openApi], SCHEMA_KEYS, `${path}.${openApi}`) ?? schemaProblem(o[json], JSON_SCHEMA_KEYS, `${path}.${json}`);
}

/** Whether the request turns thinking on. */
export function thinkingOn(body: Obj): boolean {
  const t = obj(obj(body["generationConfig"])?.["thinkingConfig"]);
  const budget = t?.["thinkingBudget"];
  if (typeof budget === "number") return budget > 0 || budget === -1;
  return t?.["includeThoughts"] === true;
}

/** A part the API refuses: a gif or non-inline image, a nameless or orphan functionResponse. */
function partProblem(part: Obj, at: string, calls: ReadonlyMap<string, string>): string | undefined {
  if (part["fileData"] !== undefined) return `${at}: the simulator takes inline images only (fileData needs the File API)`;
  const inline = obj(part["inlineData"]);
  if (inline !== undefined && !IMAGE_TYPES.has(String(inline["mimeType"]))) return `${at}.inlineData: Unsupported MIME type: ${String(inline["mimeType"])}`;
  const response = obj(part["functionResponse"]);
  if (response === undefined) return undefined;
  const name = response["name"];
  if (typeof name !== "string" || name === "") return `${at}.functionResponse.name: Name cannot be empty.`;
  if (obj(response["response"]) === undefined) return `${at}.functionResponse.response: must be an object`;
  const id = response["id"];
  // Stricter than documented: an id must answer an earlier call, under that call's name.
  if (typeof id === "string" && calls.get(id) !== name) return `${at}.functionResponse: no earlier functionCall ${name} with id ${id}`;
  return undefined;
}

/** A problem in the contents: roles, parts, results, and call signatures when thinking is on. */
function contentsProblem(contents: unknown, thinking: boolean): string | undefined {
  if (!Array.isArray(contents) || contents.length === 0) return "* GenerateContentRequest.contents: contents is not specified";
  const calls = new Map<string, string>();
  for (const [i, c] of contents.entries()) {
    const content = obj(c);
    const role = content?.["role"];
    if (role !== "user" && role !== "model") return `contents[${i}].role: Please use a valid role: user, model.`;
    const parts = objects(content?.["parts"]);
    if (parts.length === 0) return `contents[${i}].parts: must not be empty`;
    const first = parts.find((p) => p["functionCall"] !== undefined);
    if (thinking && first !== undefined && typeof first["thoughtSignature"] !== "string") {
      return `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly. contents[${i}]`;
    }
    for (const [j, p] of parts.entries()) {
      const bad = partProblem(p, `contents[${i}].parts[${j}]`, calls);
      if (bad) return bad;
      const call = obj(p["functionCall"]);
      if (call !== undefined && typeof call["id"] === "string") calls.set(call["id"], String(call["name"]));
    }
  }
  return undefined;
}

/** Why the real API would refuse this generateContent body; undefined when it would take it. */
export function geminiRejection(body: Obj): string | undefined {
  const config = obj(body["generationConfig"]) ?? {};
  const thinking = obj(config["thinkingConfig"]);
  if (thinking?.["thinkingBudget"] !== undefined && thinking["thinkingLevel"] !== undefined) return "thinkingBudget and thinkingLevel are mutually exclusive";
  const contents = contentsProblem(body["contents"], thinkingOn(body));
  if (contents) return contents;
  for (const [i, tool] of objects(body["tools"]).entries()) {
    for (const [j, d] of objects(tool["functionDeclarations"]).entries()) {
      const bad = pairProblem(d, "parameters", "parametersJsonSchema", `tools[${i}].function_declarations[${j}]`);
      if (bad) return bad;
    }
  }
  const calling = obj(obj(body["toolConfig"])?.["functionCallingConfig"]);
  if (calling !== undefined) {
    const mode = calling["mode"] ?? "AUTO";
    if (!MODES.has(String(mode))) return `Invalid value at 'tool_config.function_calling_config.mode' (${String(mode)})`;
    if (calling["allowedFunctionNames"] !== undefined && mode !== "ANY" && mode !== "VALIDATED") return "allowed_function_names may be set only when the mode is ANY or VALIDATED";
  }
  const schema = pairProblem(config, "responseSchema", "responseJsonSchema", "generation_config");
  if (schema) return schema;
  if ((config["responseSchema"] ?? config["responseJsonSchema"]) !== undefined && config["responseMimeType"] !== "application/json") {
    return "generation_config: a response schema needs responseMimeType application/json";
  }
  return undefined;
}

/** The strict checks the real Messages API makes, so that translation bugs show up as 400s in tests. */
import { createHash } from "node:crypto";

type Obj = Record<string, unknown>;

/** The signature the simulator gives a thinking block: it checks it when the block comes back. */
export function simSignature(thinking: string): string {
  return `sig_${createHash("sha256").update(thinking).digest("hex").slice(0, 16)}`;
}

const ID = /^[a-zA-Z0-9_-]+$/;
const NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const MEDIA_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);
/** Schema keywords structured outputs reject. */
const REJECTED = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "maxItems", "uniqueItems", "minProperties", "maxProperties", "oneOf"];

/** Narrows to a plain object. */
export function obj(v: unknown): Obj | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** The blocks of a message's content (a string is one text block). */
export function blocks(content: unknown): Obj[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return Array.isArray(content) ? content.map((b) => obj(b) ?? {}) : [];
}

/** Why a structured-output schema is rejected, or undefined. */
function schemaProblem(s: unknown, where: string): string | undefined {
  const node = obj(s);
  if (!node) return undefined;
  const type = typeof node["type"] === "string" ? node["type"] : "schema";
  for (const k of REJECTED) if (k in node) return `${where}: For '${type}' type, property '${k}' is not supported`;
  if (typeof node["minItems"] === "number" && node["minItems"] > 1) return `${where}: For 'array' type, 'minItems' values other than 0 or 1 are not supported`;
  if (type === "object" && node["additionalProperties"] !== false) return `${where}: For 'object' type, 'additionalProperties' must be explicitly set to false`;
  const subs: unknown[] = [node["items"], ...Object.values(obj(node["properties"]) ?? {}), ...Object.values(obj(node["$defs"]) ?? {}), ...Object.values(obj(node["definitions"]) ?? {})];
  for (const k of ["anyOf", "allOf"]) if (Array.isArray(node[k])) subs.push(...(node[k] as unknown[]));
  for (const sub of subs) {
    const p = schemaProblem(sub, where);
    if (p) return p;
  }
  return undefined;
}

/** Why the tools, tool_choice, thinking or output_config are rejected, or undefined. */
function controlsProblem(body: Obj): string | undefined {
  const tools = Array.isArray(body["tools"]) ? body["tools"].map((t) => obj(t) ?? {}) : [];
  for (const [i, t] of tools.entries()) {
    if (typeof t["name"] !== "string" || !NAME.test(t["name"])) return `tools.${i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`;
    if (obj(t["input_schema"])?.["type"] !== "object") return `tools.${i}.custom.input_schema.type: Input should be 'object'`;
    if (t["strict"] === true) {
      const p = schemaProblem(t["input_schema"], `tools.${i}.custom.input_schema`);
      if (p) return p;
    }
  }
  const choice = obj(body["tool_choice"]);
  if (choice && tools.length === 0) return "tool_choice: tool_choice may only be specified while providing tools";
  if (choice?.["type"] === "tool" && !tools.some((t) => t["name"] === choice["name"])) return `tool_choice.tool.name: no tool named ${String(choice["name"])}`;
  const format = obj(obj(body["output_config"])?.["format"]);
  if (format) {
    if (format["type"] !== "json_schema" || !obj(format["schema"])) return "output_config.format: expected {type: 'json_schema', schema}";
    const p = schemaProblem(format["schema"], "output_config.format.schema");
    if (p) return p;
  }
  const thinking = obj(body["thinking"]);
  if (thinking?.["type"] !== "enabled") return undefined;
  const budget = thinking["budget_tokens"];
  if (typeof budget !== "number" || budget < 1024) return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024";
  if (typeof body["max_tokens"] === "number" && body["max_tokens"] <= budget) return "`max_tokens` must be greater than `thinking.budget_tokens`";
  if (body["temperature"] !== undefined && body["temperature"] !== 1) return "`temperature` may only be set to 1 when thinking is enabled";
  if (typeof body["top_p"] === "number" && body["top_p"] < 0.95) return "`top_p` must be greater than or equal to 0.95 or unset when thinking is enabled";
  if (choice?.["type"] === "any" || choice?.["type"] === "tool") return "Thinking may not be enabled when tool_choice forces tool use.";
  return undefined;
}

/** Why one content block is rejected, or undefined. */
function blockProblem(b: Obj, role: string, at: string): string | undefined {
  switch (b["type"]) {
    case "text":
      return typeof b["text"] === "string" && b["text"].trim() !== "" ? undefined : `${at}: text content blocks must contain non-whitespace text`;
    case "image": {
      const src = obj(b["source"]);
      if (src?.["type"] === "url") return typeof src["url"] === "string" ? undefined : `${at}.source.url: Field required`;
      if (src?.["type"] !== "base64" || typeof src["data"] !== "string") return `${at}.source: expected a base64 or url source`;
      return MEDIA_TYPES.has(String(src["media_type"])) ? undefined : `${at}.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
    }
    case "tool_use":
      if (role !== "assistant") return `${at}: tool_use blocks are only allowed in assistant messages`;
      if (typeof b["id"] !== "string" || !ID.test(b["id"])) return `${at}.id: String should match pattern '^[a-zA-Z0-9_-]+$'`;
      return obj(b["input"]) ? undefined : `${at}.input: Input should be a valid dictionary`;
    case "tool_result":
      if (role !== "user") return `${at}: tool_result blocks are only allowed in user messages`;
      return typeof b["tool_use_id"] === "string" && ID.test(b["tool_use_id"]) ? undefined : `${at}.tool_use_id: String should match pattern '^[a-zA-Z0-9_-]+$'`;
    case "thinking":
      if (role !== "assistant") return `${at}: thinking blocks are only allowed in assistant messages`;
      return b["signature"] === simSignature(String(b["thinking"] ?? "")) ? undefined : `${at}: Invalid \`signature\` in \`thinking\` block`;
    case "redacted_thinking":
      return role === "assistant" && typeof b["data"] === "string" ? undefined : `${at}: invalid redacted_thinking block`;
    default:
      return `${at}.type: Input tag '${String(b["type"])}' found does not match any of the expected tags`;
  }
}

/** Why the messages are rejected: bad blocks, tool_use without its tool_result next, results for no call, thinking lost. */
function messagesProblem(body: Obj, messages: readonly Obj[]): string | undefined {
  const thinking = obj(body["thinking"])?.["type"] === "enabled";
  const tools = Array.isArray(body["tools"]) && body["tools"].length > 0;
  for (const [n, m] of messages.entries()) {
    const role = m["role"];
    if (role !== "user" && role !== "assistant") return `messages.${n}.role: Input should be 'user' or 'assistant'`;
    const bs = blocks(m["content"]);
    if (bs.length === 0) return `messages.${n}: all messages must have non-empty content`;
    for (const [k, b] of bs.entries()) {
      const p = blockProblem(b, role, `messages.${n}.content.${k}`);
      if (p) return p;
    }
    const uses = bs.filter((b) => b["type"] === "tool_use").map((b) => String(b["id"]));
    const results = bs.filter((b) => b["type"] === "tool_result").map((b) => String(b["tool_use_id"]));
    if ((uses.length > 0 || results.length > 0) && !tools) return "Requests which include `tool_use` or `tool_result` blocks must define tools.";
    if (results.length > 0) {
      const firstOther = bs.findIndex((b) => b["type"] !== "tool_result");
      if (firstOther >= 0 && firstOther < results.length) return `messages.${n}: tool_result blocks must come first in the user message, before any other content`;
      const before = n > 0 ? blocks(messages[n - 1]?.["content"]).filter((b) => b["type"] === "tool_use").map((b) => String(b["id"])) : [];
      const stray = results.filter((id) => !before.includes(id));
      if (stray.length > 0) return `messages.${n}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${stray.join(", ")}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
    }
    if (uses.length > 0 && n < messages.length - 1) {
      const next = messages[n + 1];
      const answered = next?.["role"] === "user" ? blocks(next["content"]).filter((b) => b["type"] === "tool_result").map((b) => String(b["tool_use_id"])) : [];
      const missing = uses.filter((id) => !answered.includes(id));
      if (missing.length > 0) return `messages.${n}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(", ")}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
    }
    const first = String(bs[0]?.["type"]);
    if (thinking && uses.length > 0 && first !== "thinking" && first !== "redacted_thinking") {
      return `messages.${n}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${first}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block.`;
    }
  }
  return undefined;
}

/** Why the real API would answer this body with 400 invalid_request_error, or undefined when it accepts it. */
export function anthropicRejection(body: Obj): string | undefined {
  if (typeof body["max_tokens"] !== "number") return "max_tokens: Field required";
  if (!Array.isArray(body["messages"])) return "messages: Field required";
  return controlsProblem(body) ?? messagesProblem(body, body["messages"].map((m) => obj(m) ?? {}));
}

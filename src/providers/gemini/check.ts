/** What of a request Gemini generateContent cannot carry faithfully, named by the contract's field path. */
import type { ChatMessage, ChatRequest, Unsupported } from "../types.js";
import { toGeminiSchema } from "./schema.js";

/** Image media types Gemini accepts inline (no gif). */
const MEDIA_TYPES = new Set(["image/png", "image/jpeg", "image/webp", "image/heic", "image/heif"]);
/** Gemini's limit on a request's inline data, decoded bytes (larger files go through the File API). */
export const MAX_INLINE_BYTES = 20 * 1024 * 1024;

/** Decoded size of base64 text. */
function decodedBytes(b64: string): number {
  const padding = b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0;
  return Math.floor((b64.replace(/\s/g, "").length * 3) / 4) - padding;
}

/** Tool-call arguments that are a JSON object (what Gemini's `args` must be); "" counts as no arguments. */
export function argsObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text === "" ? "{}" : text);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Images Gemini cannot take in message `i`; `bytes` carries the request's running inline total. */
function checkImages(m: ChatMessage, i: number, bytes: { total: number }): Unsupported | undefined {
  for (const [j, p] of (m.parts ?? []).entries()) {
    if (p.type !== "image") continue;
    const at = `messages[${i}].parts[${j}].image`;
    if (m.role !== "user" && m.role !== "assistant") return { field: `messages[${i}].parts[${j}]`, reason: `Gemini takes images in user and model turns only, not in ${m.role} turns` };
    if (p.image.kind === "url") return { field: `${at}.url`, reason: "Gemini takes images inline only; the gateway does not fetch image URLs for it" };
    const type = p.image.mediaType.toLowerCase();
    if (!MEDIA_TYPES.has(type)) return { field: `${at}.media_type`, reason: `Gemini takes image/png, image/jpeg, image/webp, image/heic and image/heif, not ${type}` };
    bytes.total += decodedBytes(p.image.data);
    if (bytes.total >= MAX_INLINE_BYTES) return { field: `${at}.data`, reason: "Gemini takes under 20 MB of inline images per request" };
  }
  return undefined;
}

/** Tool calls and results Gemini cannot carry: arguments that are not an object, a result naming no earlier call. */
function checkTools(m: ChatMessage, i: number, called: Set<string>): Unsupported | undefined {
  for (const [j, c] of (m.toolCalls ?? []).entries()) {
    if (argsObject(c.arguments) === undefined) return { field: `messages[${i}].tool_calls[${j}].arguments`, reason: "Gemini takes tool-call arguments as a JSON object only" };
    called.add(c.id);
  }
  if (m.role === "tool" && (m.toolCallId === undefined || !called.has(m.toolCallId))) {
    return { field: `messages[${i}].tool_call_id`, reason: "Gemini needs the function name of a tool result, from an earlier call with this id" };
  }
  return undefined;
}

/** A schema's unsupported keyword under a request field. */
function checkSchema(schema: Readonly<Record<string, unknown>>, field: string): Unsupported | undefined {
  const c = toGeminiSchema(schema);
  return "unsupported" in c ? { field: c.unsupported.path === "" ? field : `${field}.${c.unsupported.path}`, reason: c.unsupported.reason } : undefined;
}

/**
 * What of the request Gemini cannot carry faithfully; undefined when all of it. `strict` tools and
 * `parallelToolCalls: false` are accepted: Gemini has no switch for either (documented, not refused).
 */
export function checkGemini(r: ChatRequest): Unsupported | undefined {
  const bytes = { total: 0 };
  const called = new Set<string>();
  for (const [i, m] of r.messages.entries()) {
    if (m.parts === undefined && m.toolCalls === undefined && m.role !== "tool") continue;
    const bad = checkImages(m, i, bytes) ?? checkTools(m, i, called);
    if (bad) return bad;
  }
  for (const [i, t] of (r.tools ?? []).entries()) {
    const bad = t.parameters !== undefined ? checkSchema(t.parameters, `tools[${i}].parameters`) : undefined;
    if (bad) return bad;
  }
  const f = r.responseFormat;
  return f?.type === "json_schema" ? checkSchema(f.schema, "response_format.schema") : undefined;
}

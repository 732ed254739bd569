/** Validation of the conversation: roles, text and image parts, tool calls and tool results, reasoning blocks. */
import type { ChatMessage, ContentPart, ReasoningBlock, Role as CoreRole, ToolCall } from "../gateway/types.js";
import type { Message } from "../../gen/llmgateway/v1/gateway_pb.js";
import type { ContentPart as PbPart, Image, ReasoningBlock as PbReasoning, ToolCall as PbToolCall } from "../../gen/llmgateway/v1/content_pb.js";
import { ImageDetail } from "../../gen/llmgateway/v1/content_pb.js";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import { invalid, LIMITS, TOOL_NAME } from "./limits.js";

const ROLES: Partial<Record<Role, CoreRole>> = { [Role.SYSTEM]: "system", [Role.USER]: "user", [Role.ASSISTANT]: "assistant", [Role.TOOL]: "tool" };
const DETAIL: Partial<Record<ImageDetail, "auto" | "low" | "high">> = { [ImageDetail.AUTO]: "auto", [ImageDetail.LOW]: "low", [ImageDetail.HIGH]: "high" };
/** Image media types every provider of the gateway takes (Gemini takes no gif: its adapter says so per candidate). */
const MEDIA_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
const FORMATS = new Set(["openai", "anthropic", "gemini"]);
const DATA_URL = /^data:([a-z]+\/[a-z0-9.+-]+);base64,/i;
const CALL_ID = /^[\x21-\x7e]{1,128}$/;

/** Conversation-wide counters while validating messages in order. */
interface Walk {
  readonly f: (name: string) => string;
  /** Ids of the tool calls made so far. */
  readonly calls: Set<string>;
  /** Tool calls of the last assistant turn still waiting for their results, and where that turn is. */
  readonly pending: Set<string>;
  pendingAt: string;
  images: number;
}

/** Validates the messages and translates them to core messages. */
export function toMessages(messages: readonly Message[], f: (name: string) => string): ChatMessage[] {
  const walk: Walk = { f, calls: new Set(), pending: new Set(), pendingAt: "", images: 0 };
  const out = messages.map((m, i) => {
    const at = `messages[${i}]`;
    // Every provider needs each tool call answered, right after the turn that made it.
    if (m.role !== Role.TOOL && walk.pending.size > 0) throw unanswered(walk, f(at));
    const message = toMessage(m, at, walk);
    if (message.toolCalls) {
      walk.pending.clear();
      for (const c of message.toolCalls) walk.pending.add(c.id);
      walk.pendingAt = at;
    }
    return message;
  });
  if (walk.pending.size > 0) throw unanswered(walk, f("messages"));
  return out;
}

function unanswered(walk: Walk, field: string): Error {
  const id = [...walk.pending][0] ?? "";
  return invalid(field, `tool call "${id.slice(0, 128)}" of ${walk.pendingAt} has no ROLE_TOOL result before it`);
}

function toMessage(m: Message, at: string, walk: Walk): ChatMessage {
  const { f } = walk;
  const role = ROLES[m.role];
  if (!role) throw invalid(f(`${at}.role`), "must be ROLE_SYSTEM, ROLE_USER, ROLE_ASSISTANT or ROLE_TOOL");
  if (m.content.length > 0 && m.parts.length > 0) throw invalid(f(`${at}.parts`), "set content or parts, not both");
  const parts = m.parts.length > 0 ? m.parts.map((p, j) => toPart(p, `${at}.parts[${j}]`, role, walk)) : undefined;
  const content = parts ? parts.map((p) => (p.type === "text" ? p.text : "")).join("") : m.content;
  if (content.length > LIMITS.maxContentChars) throw invalid(f(`${at}.content`), `is longer than ${LIMITS.maxContentChars} characters`);
  if (m.toolCalls.length > 0 && role !== "assistant") throw invalid(f(`${at}.tool_calls`), "only an assistant message carries tool calls");
  if (m.reasoning.length > 0 && role !== "assistant") throw invalid(f(`${at}.reasoning`), "only an assistant message carries reasoning");
  if (role !== "tool" && m.toolCallId !== "") throw invalid(f(`${at}.tool_call_id`), "only a ROLE_TOOL message answers a tool call");
  if (role !== "tool" && m.isError) throw invalid(f(`${at}.is_error`), "only a ROLE_TOOL message carries a result");
  const toolCalls = m.toolCalls.length > 0 ? m.toolCalls.map((c, k) => toToolCall(c, `${at}.tool_calls[${k}]`, walk)) : undefined;
  const reasoning = m.reasoning.length > 0 ? m.reasoning.map((r, k) => toReasoning(r, f(`${at}.reasoning[${k}]`))) : undefined;
  if (role === "tool") {
    if (m.toolCallId === "") throw invalid(f(`${at}.tool_call_id`), "is required on a ROLE_TOOL message");
    if (!walk.pending.delete(m.toolCallId)) {
      const why = walk.calls.has(m.toolCallId) ? "answers a tool call already answered, or not of the assistant turn just before" : "names no tool call of an earlier assistant message";
      throw invalid(f(`${at}.tool_call_id`), why);
    }
  }
  return {
    role,
    content,
    ...(parts && (parts.length > 1 || parts.some((p) => p.type === "image")) ? { parts } : {}),
    ...(toolCalls ? { toolCalls } : {}),
    ...(reasoning ? { reasoning } : {}),
    ...(role === "tool" ? { toolCallId: m.toolCallId, isError: m.isError } : {}),
  };
}

function toPart(p: PbPart, at: string, role: CoreRole, walk: Walk): ContentPart {
  const { f } = walk;
  switch (p.part.case) {
    case "text":
      return { type: "text", text: p.part.value };
    case "image":
      if (role !== "user") throw invalid(f(at), "images are allowed in user messages only");
      if (++walk.images > LIMITS.maxImages) throw invalid(f(at), `a request carries at most ${LIMITS.maxImages} images`);
      return toImage(p.part.value, `${at}.image`, f);
    default:
      throw invalid(f(at), "must hold text or an image");
  }
}

function toImage(img: Image, at: string, f: (name: string) => string): ContentPart {
  const detail = DETAIL[img.detail];
  const withDetail = detail ? { detail } : {};
  const mediaType = img.mediaType.toLowerCase();
  if (mediaType !== "" && !MEDIA_TYPES.has(mediaType)) throw invalid(f(`${at}.media_type`), "must be image/png, image/jpeg, image/gif or image/webp");
  const source = img.source;
  if (source.case === "data") {
    if (mediaType === "") throw invalid(f(`${at}.media_type`), "is required with data");
    checkSize(source.value.length, `${at}.data`, f);
    return { type: "image", image: { kind: "base64", data: Buffer.from(source.value).toString("base64"), mediaType }, ...withDetail };
  }
  if (source.case !== "url" || source.value === "") throw invalid(f(at), "needs a url or data");
  const url = source.value;
  const data = DATA_URL.exec(url);
  if (data) {
    const type = (data[1] ?? "").toLowerCase();
    if (!MEDIA_TYPES.has(type)) throw invalid(f(`${at}.url`), "a data URL's media type must be image/png, image/jpeg, image/gif or image/webp");
    const b64 = url.slice(data[0].length);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw invalid(f(`${at}.url`), "a data URL must carry base64");
    checkSize(Math.floor((b64.length * 3) / 4), `${at}.url`, f);
    return { type: "image", image: { kind: "base64", data: b64, mediaType: type }, ...withDetail };
  }
  if (!/^https?:\/\/[^\s/]+/i.test(url) || url.length > LIMITS.maxUrlChars) throw invalid(f(`${at}.url`), `must be an http(s) URL of at most ${LIMITS.maxUrlChars} characters, or a data URL`);
  return { type: "image", image: { kind: "url", url, ...(mediaType ? { mediaType } : {}) }, ...withDetail };
}

function checkSize(bytes: number, field: string, f: (name: string) => string): void {
  if (bytes === 0) throw invalid(f(field), "is empty");
  if (bytes > LIMITS.maxImageBytes) throw invalid(f(field), `an image may be at most ${LIMITS.maxImageBytes} bytes`);
}

function toToolCall(c: PbToolCall, at: string, walk: Walk): ToolCall {
  const { f } = walk;
  if (!CALL_ID.test(c.id)) throw invalid(f(`${at}.id`), "must be 1 to 128 printable ASCII characters");
  if (walk.calls.has(c.id)) throw invalid(f(`${at}.id`), "repeats the id of an earlier tool call");
  if (!TOOL_NAME.test(c.name)) throw invalid(f(`${at}.name`), "must be a tool name: a letter or _, then letters, digits, _ or -, at most 64");
  const args = c.arguments === "" ? "{}" : c.arguments;
  if (!isJsonObject(args)) throw invalid(f(`${at}.arguments`), "must be a JSON object");
  walk.calls.add(c.id);
  return { id: c.id, name: c.name, arguments: args, ...(c.signature ? { signature: c.signature } : {}) };
}

function toReasoning(r: PbReasoning, at: string): ReasoningBlock {
  if (!FORMATS.has(r.format)) throw invalid(`${at}.format`, "must be openai, anthropic or gemini (as the response gave it)");
  if (r.text === "" && r.signature === "" && r.redacted === "") throw invalid(at, "is empty");
  return {
    format: r.format as ReasoningBlock["format"],
    ...(r.text ? { text: r.text } : {}),
    ...(r.signature ? { signature: r.signature } : {}),
    ...(r.redacted ? { redacted: r.redacted } : {}),
  };
}

/** True when a text is a JSON object. */
export function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

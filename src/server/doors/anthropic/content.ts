/**
 * Anthropic's `system` and `messages` -> the contract's messages. A user turn's tool_result blocks become ROLE_TOOL
 * messages (first, as the contract wants results right after the calls), its text and images one ROLE_USER message;
 * an assistant turn's thinking blocks become reasoning, its tool_use blocks tool calls. `cache_control` and
 * `citations` are accepted and ignored (the contract has no prompt-cache control).
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ContentPartSchema } from "../../../../gen/llmgateway/v1/content_pb.js";
import type { MessageSchema } from "../../../../gen/llmgateway/v1/gateway_pb.js";
import { Role } from "../../../../gen/llmgateway/v1/types_pb.js";
import { arr, bool, fieldError, join, obj, oneOf, onlyKeys, opt, str } from "./check.js";
import type { Obj } from "./check.js";
import { fromRedacted, fromThinking } from "./reasoning.js";
import type { ReasoningInit } from "./reasoning.js";

type MessageInit = MessageInitShape<typeof MessageSchema>;
type PartInit = MessageInitShape<typeof ContentPartSchema>;
/** The fields of a message other than its content. */
interface Fields {
  readonly role: Role;
  readonly toolCalls?: ReadonlyArray<{ id: string; name: string; arguments: string; signature: string }>;
  readonly reasoning?: readonly ReasoningInit[];
  readonly toolCallId?: string;
  readonly isError?: boolean;
}

/** The contract's messages, and for each the Anthropic path it came from (to name fields in the service's errors). */
export interface Conversation {
  readonly messages: MessageInit[];
  readonly at: string[];
}

const FIELDS: Record<string, ReadonlySet<string>> = {
  text: new Set(["type", "text", "cache_control", "citations"]),
  image: new Set(["type", "source", "cache_control"]),
  tool_use: new Set(["type", "id", "name", "input", "cache_control", "caller"]),
  tool_result: new Set(["type", "tool_use_id", "content", "is_error", "cache_control"]),
  thinking: new Set(["type", "thinking", "signature"]),
  redacted_thinking: new Set(["type", "data"]),
};
const MESSAGE = new Set(["role", "content"]);
const MEDIA_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"] as const;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** `system` (a string or text blocks) and `messages` -> the contract's conversation. */
export function toConversation(system: unknown, messages: unknown): Conversation {
  const out: Conversation = { messages: [], at: [] };
  if (system !== undefined) {
    const texts = typeof system === "string" ? [system] : arr(system, "system").map((b, i) => textOf(b, `system.${i}`));
    const content = texts.filter((t) => t !== "").join("\n\n");
    if (content !== "") push(out, { role: Role.SYSTEM, content }, "system");
  }
  const list = arr(messages, "messages");
  if (list.length === 0) throw fieldError("messages", "List should have at least 1 item after validation, not 0");
  list.forEach((m, i) => turn(out, obj(m, `messages.${i}`), `messages.${i}`));
  return out;
}

function push(out: Conversation, m: MessageInit, at: string): void {
  out.messages.push(m);
  out.at.push(at);
}

function turn(out: Conversation, m: Obj, at: string): void {
  onlyKeys(m, at, MESSAGE);
  const role = oneOf(m["role"], join(at, "role"), ["user", "assistant"] as const);
  const content = m["content"];
  if (typeof content === "string") {
    push(out, { role: role === "user" ? Role.USER : Role.ASSISTANT, content }, at);
    return;
  }
  const blocks = arr(content, join(at, "content")).map((b, j) => block(b, `${at}.content.${j}`));
  if (blocks.length === 0) throw fieldError(join(at, "content"), "all messages must have non-empty content");
  if (role === "user") userTurn(out, blocks, at);
  else assistantTurn(out, blocks, at);
}

/** A content block, its type and fields checked. */
interface Block {
  readonly type: string;
  readonly at: string;
  readonly o: Obj;
}

function block(b: unknown, at: string): Block {
  const o = obj(b, at);
  const type = str(o["type"], join(at, "type"));
  const fields = FIELDS[type];
  if (fields === undefined) throw fieldError(join(at, "type"), `content blocks of type '${type.slice(0, 64)}' are not supported by the gateway (text, image, tool_use, tool_result, thinking, redacted_thinking)`);
  onlyKeys(o, at, fields);
  return { type, at, o };
}

function userTurn(out: Conversation, blocks: readonly Block[], at: string): void {
  const parts: PartInit[] = [];
  for (const b of blocks) {
    if (b.type === "tool_result") push(out, toolResult(b), b.at);
    else if (b.type === "text") parts.push({ part: { case: "text", value: textOf(b.o, b.at) } });
    else if (b.type === "image") parts.push({ part: { case: "image", value: image(b.o["source"], join(b.at, "source")) } });
    else throw fieldError(join(b.at, "type"), `${b.type} blocks are allowed in assistant messages only`);
  }
  if (parts.length > 0) push(out, withParts({ role: Role.USER }, parts), at);
}

function assistantTurn(out: Conversation, blocks: readonly Block[], at: string): void {
  const parts: PartInit[] = [];
  const toolCalls: Array<{ id: string; name: string; arguments: string; signature: string }> = [];
  const reasoning: ReasoningInit[] = [];
  const signatures = new Map<string, string>();
  for (const b of blocks) {
    const f = (k: string): string => join(b.at, k);
    if (b.type === "text") parts.push({ part: { case: "text", value: textOf(b.o, b.at) } });
    else if (b.type === "tool_use") toolCalls.push({ id: str(b.o["id"], f("id")), name: str(b.o["name"], f("name")), arguments: JSON.stringify(obj(b.o["input"], f("input"))), signature: "" });
    else if (b.type === "thinking") {
      const back = fromThinking(str(b.o["thinking"], f("thinking")), str(b.o["signature"], f("signature")));
      if (back.kind === "reasoning") reasoning.push(back.block);
      else if (back.kind === "call") signatures.set(back.id, back.signature);
    } else if (b.type === "redacted_thinking") reasoning.push(fromRedacted(str(b.o["data"], f("data"))));
    else throw fieldError(f("type"), `${b.type} blocks are allowed in user messages only`);
  }
  for (const c of toolCalls) c.signature = signatures.get(c.id) ?? "";
  push(out, withParts({ role: Role.ASSISTANT, toolCalls, reasoning }, parts), at);
}

/** Text parts as the `content` shorthand when they are one text, else as parts. */
function withParts(m: Fields, parts: readonly PartInit[]): MessageInit {
  const only = parts[0]?.part;
  const base = { role: m.role, toolCalls: [...(m.toolCalls ?? [])], reasoning: [...(m.reasoning ?? [])], toolCallId: m.toolCallId ?? "", isError: m.isError ?? false };
  if (parts.length === 1 && only?.case === "text") return { ...base, content: only.value };
  return { ...base, parts: [...parts] };
}

function toolResult(b: Block): MessageInit {
  const f = (k: string): string => join(b.at, k);
  const toolCallId = str(b.o["tool_use_id"], f("tool_use_id"));
  const isError = opt(b.o, "is_error") === undefined ? false : bool(b.o["is_error"], f("is_error"));
  const content = opt(b.o, "content");
  const m: Fields = { role: Role.TOOL, toolCallId, isError };
  if (content === undefined || typeof content === "string") return { role: Role.TOOL, toolCallId, isError, content: content ?? "" };
  const parts = arr(content, f("content")).map((c, k): PartInit => {
    const inner = block(c, `${f("content")}.${k}`);
    if (inner.type !== "text") throw fieldError(join(inner.at, "type"), "a tool result holds text blocks only on the gateway");
    return { part: { case: "text", value: textOf(inner.o, inner.at) } };
  });
  return withParts(m, parts);
}

/** The text of a text block (a system block must be one). */
function textOf(b: unknown, at: string): string {
  const o = obj(b, at);
  if (o["type"] !== "text") throw fieldError(join(at, "type"), "Input should be 'text'");
  onlyKeys(o, at, FIELDS["text"] ?? new Set());
  return str(o["text"], join(at, "text"));
}

/** An image source (base64 or url) -> the contract's image. */
function image(source: unknown, at: string): { source: { case: "url"; value: string }; mediaType?: string } {
  const s = obj(source, at);
  const type = oneOf(s["type"], join(at, "type"), ["base64", "url"] as const);
  if (type === "url") {
    onlyKeys(s, at, new Set(["type", "url"]));
    return { source: { case: "url", value: str(s["url"], join(at, "url")) } };
  }
  onlyKeys(s, at, new Set(["type", "media_type", "data"]));
  const mediaType = oneOf(s["media_type"], join(at, "media_type"), MEDIA_TYPES);
  const data = str(s["data"], join(at, "data"));
  if (data === "" || !BASE64.test(data)) throw fieldError(join(at, "data"), "must be non-empty base64");
  // A data URL: the service checks its size and media type once, as for every other door.
  return { source: { case: "url", value: `data:${mediaType};base64,${data}` }, mediaType };
}


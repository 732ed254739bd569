/** OpenAI Chat Completions messages -> the contract's messages (text, images, tool calls and results, reasoning sent back). */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { ImageDetail } from "../../../../gen/llmgateway/v1/content_pb.js";
import type { ContentPartSchema, ReasoningBlockSchema, ToolCallSchema } from "../../../../gen/llmgateway/v1/content_pb.js";
import type { MessageSchema } from "../../../../gen/llmgateway/v1/gateway_pb.js";
import { Role } from "../../../../gen/llmgateway/v1/types_pb.js";
import { badRequest } from "../door-fault.js";
import { array, object, optional, string } from "../json-fields.js";
import type { JsonObject } from "../json-fields.js";

type MessageInit = MessageInitShape<typeof MessageSchema>;
type PartInit = MessageInitShape<typeof ContentPartSchema>;
type ToolCallInit = MessageInitShape<typeof ToolCallSchema>;
type BlockInit = MessageInitShape<typeof ReasoningBlockSchema>;

const DETAIL: Record<string, ImageDetail> = { auto: ImageDetail.AUTO, low: ImageDetail.LOW, high: ImageDetail.HIGH };

/** Translates the `messages` array. */
export function toMessages(value: unknown): MessageInit[] {
  return array(value, "messages").map((m, i) => toMessage(object(m, `messages[${i}]`), `messages[${i}]`));
}

function toMessage(m: JsonObject, at: string): MessageInit {
  const role = string(m["role"], `${at}.role`);
  switch (role) {
    case "system":
    case "developer":
      return { role: Role.SYSTEM, content: textOnly(m["content"], `${at}.content`) };
    case "user":
      return userMessage(m["content"], `${at}.content`);
    case "assistant":
      return assistantMessage(m, at);
    case "tool":
      return { role: Role.TOOL, toolCallId: string(m["tool_call_id"], `${at}.tool_call_id`), content: textOnly(m["content"], `${at}.content`) };
    default:
      throw badRequest(`${at}.role`, `"${role.slice(0, 32)}" is not one of system, developer, user, assistant, tool`);
  }
}

/** A content that may only hold text: a string, or text parts joined. */
function textOnly(value: unknown, at: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  return array(value, at)
    .map((p, j) => {
      const part = object(p, `${at}[${j}]`);
      const type = string(part["type"], `${at}[${j}].type`);
      if (type !== "text") throw badRequest(`${at}[${j}].type`, `must be "text" in this message`);
      return string(part["text"], `${at}[${j}].text`);
    })
    .join("");
}

function userMessage(value: unknown, at: string): MessageInit {
  if (typeof value === "string") return { role: Role.USER, content: value };
  const parts: PartInit[] = array(value, at).map((p, j) => userPart(object(p, `${at}[${j}]`), `${at}[${j}]`));
  return { role: Role.USER, parts };
}

function userPart(part: JsonObject, at: string): PartInit {
  const type = string(part["type"], `${at}.type`);
  if (type === "text") return { part: { case: "text", value: string(part["text"], `${at}.text`) } };
  if (type !== "image_url") throw badRequest(`${at}.type`, `"${type.slice(0, 32)}" parts are not supported by the gateway (text and image_url are)`);
  const image = object(part["image_url"], `${at}.image_url`);
  const url = string(image["url"], `${at}.image_url.url`);
  const detailName = optional(image, "detail", string, `${at}.image_url.`);
  const detail = detailName === undefined ? ImageDetail.UNSPECIFIED : DETAIL[detailName];
  if (detail === undefined) throw badRequest(`${at}.image_url.detail`, "must be auto, low or high");
  return { part: { case: "image", value: { source: { case: "url", value: url }, detail } } };
}

function assistantMessage(m: JsonObject, at: string): MessageInit {
  const content = assistantText(m["content"], `${at}.content`);
  const calls = optional(m, "tool_calls", array, `${at}.`) ?? [];
  const toolCalls = calls.map((c, k) => toolCall(object(c, `${at}.tool_calls[${k}]`), `${at}.tool_calls[${k}]`));
  return { role: Role.ASSISTANT, content, toolCalls, reasoning: reasoningBack(m, at) };
}

/** An assistant's content: a string, null, or text and refusal parts (a refusal is what the model said). */
function assistantText(value: unknown, at: string): string {
  if (value === undefined || value === null || typeof value === "string") return value ?? "";
  return array(value, at)
    .map((p, j) => {
      const part = object(p, `${at}[${j}]`);
      const type = string(part["type"], `${at}[${j}].type`);
      if (type === "text") return string(part["text"], `${at}[${j}].text`);
      if (type === "refusal") return string(part["refusal"], `${at}[${j}].refusal`);
      throw badRequest(`${at}[${j}].type`, "must be text or refusal in an assistant message");
    })
    .join("");
}

function toolCall(c: JsonObject, at: string): ToolCallInit {
  const type = optional(c, "type", string, `${at}.`) ?? "function";
  if (type !== "function") throw badRequest(`${at}.type`, `must be "function"`);
  const fn = object(c["function"], `${at}.function`);
  return {
    id: string(c["id"], `${at}.id`),
    name: string(fn["name"], `${at}.function.name`),
    arguments: optional(fn, "arguments", string, `${at}.function.`) ?? "",
    signature: optional(c, "llmgateway_signature", string, `${at}.`) ?? "",
  };
}

/**
 * Reasoning sent back: the gateway's own `llmgateway_reasoning` blocks when the client kept them (they carry the
 * signatures Anthropic and Gemini require), else DeepSeek-style `reasoning_content` text.
 */
function reasoningBack(m: JsonObject, at: string): BlockInit[] {
  const blocks = optional(m, "llmgateway_reasoning", array, `${at}.`);
  if (blocks !== undefined) {
    return blocks.map((b, k) => {
      const block = object(b, `${at}.llmgateway_reasoning[${k}]`);
      const field = (name: string): string => optional(block, name, string, `${at}.llmgateway_reasoning[${k}].`) ?? "";
      return { format: field("format"), text: field("text"), signature: field("signature"), redacted: field("redacted") };
    });
  }
  const text = optional(m, "reasoning_content", string, `${at}.`);
  return text === undefined || text === "" ? [] : [{ format: "openai", text }];
}

/**
 * An OpenAI Chat Completions request body -> the contract's CompleteRequest. Fields the contract carries are
 * translated; fields that change nothing here are accepted; a field the gateway cannot honour is a 400 naming it
 * (never dropped silently), and an unknown field is refused as OpenAI refuses it.
 */
import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { ReasoningEffort, ResponseFormatType, ToolChoiceMode } from "../../../../gen/llmgateway/v1/content_pb.js";
import type { ResponseFormatSchema, ToolChoiceSchema, ToolSchema } from "../../../../gen/llmgateway/v1/content_pb.js";
import { CompleteRequestSchema } from "../../../../gen/llmgateway/v1/gateway_pb.js";
import type { CompleteRequest } from "../../../../gen/llmgateway/v1/gateway_pb.js";
import { badRequest } from "../door-fault.js";
import type { RequestExtras } from "../extras.js";
import { array, boolean, integer, number, object, onlyKnown, optional, string } from "../json-fields.js";
import type { JsonObject } from "../json-fields.js";
import { toMessages } from "./chat-messages.js";

/** A translated request: the contract's message, and how to answer. */
export interface ChatRequest {
  readonly request: CompleteRequest;
  readonly stream: boolean;
  readonly includeUsage: boolean;
}

/** Fields translated or accepted. */
const KNOWN = new Set([
  "model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "stream", "stream_options",
  "tools", "tool_choice", "parallel_tool_calls", "response_format", "reasoning_effort", "metadata", "user", "n", "seed",
  "store", "service_tier", "safety_identifier", "prompt_cache_key", "presence_penalty", "frequency_penalty", "logprobs",
  "top_logprobs", "logit_bias", "modalities", "functions", "function_call", "audio", "prediction", "web_search_options", "verbosity",
]);

/** Fields accepted only at the value that changes nothing (the contract has no place for another). */
const NEUTRAL: ReadonlyArray<readonly [string, (v: unknown) => boolean]> = [
  ["n", (v) => v === 1],
  ["presence_penalty", (v) => v === 0],
  ["frequency_penalty", (v) => v === 0],
  ["logprobs", (v) => v === false],
  ["top_logprobs", (v) => v === 0],
  ["logit_bias", (v) => typeof v === "object" && v !== null && Object.keys(v).length === 0],
  ["modalities", (v) => Array.isArray(v) && v.every((m) => m === "text")],
  ["store", (v) => v === false],
];

/** Fields with no counterpart in the gateway at all. */
const UNSUPPORTED = ["functions", "function_call", "audio", "prediction", "web_search_options", "verbosity"];

const EFFORT: Record<string, ReasoningEffort> = { none: ReasoningEffort.NONE, minimal: ReasoningEffort.MINIMAL, low: ReasoningEffort.LOW, medium: ReasoningEffort.MEDIUM, high: ReasoningEffort.HIGH };

/** Translates a parsed body; `extras` are the gateway's request headers. */
export function toChatRequest(value: unknown, extras: RequestExtras): ChatRequest {
  const body = object(value, "body");
  onlyKnown(body, KNOWN, "", () => "unrecognized request argument supplied");
  for (const [key, ok] of NEUTRAL) if (body[key] !== undefined && body[key] !== null && !ok(body[key])) throw badRequest(key, `the gateway supports only the default (${key === "n" ? "1" : "none"})`);
  for (const key of UNSUPPORTED) if (body[key] !== undefined && body[key] !== null) throw badRequest(key, "is not supported by the gateway");
  const model = string(body["model"], "model");
  if (body["messages"] === undefined) throw badRequest("messages", "is required");
  const maxTokens = optional(body, "max_completion_tokens", integer) ?? optional(body, "max_tokens", integer);
  const streamOptions = optional(body, "stream_options", object);
  const request = create(CompleteRequestSchema, {
    model,
    messages: toMessages(body["messages"]),
    maxTokens,
    temperature: optional(body, "temperature", number),
    topP: optional(body, "top_p", number),
    stop: stops(body["stop"]),
    complexity: extras.complexity,
    tags: { ...metadataTags(body), ...extras.tags },
    requestId: extras.requestId,
    tools: (optional(body, "tools", array) ?? []).map((t, i) => tool(object(t, `tools[${i}]`), `tools[${i}]`)),
    toolChoice: toolChoice(body["tool_choice"]),
    parallelToolCalls: optional(body, "parallel_tool_calls", boolean),
    responseFormat: responseFormat(body["response_format"]),
    reasoning: reasoning(body["reasoning_effort"]),
  });
  return {
    request,
    stream: optional(body, "stream", boolean) ?? false,
    includeUsage: streamOptions === undefined ? false : (optional(streamOptions, "include_usage", boolean, "stream_options.") ?? false),
  };
}

function stops(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return [value];
  return array(value, "stop").map((s, i) => string(s, `stop[${i}]`));
}

/** OpenAI's `metadata` (string values) becomes tags; the gateway's tag header wins on the same key. */
function metadataTags(body: JsonObject): Record<string, string> {
  const metadata = optional(body, "metadata", object);
  const tags: Record<string, string> = {};
  if (metadata) for (const key in metadata) tags[key] = string(metadata[key], `metadata.${key}`);
  return tags;
}

function tool(t: JsonObject, at: string): MessageInitShape<typeof ToolSchema> {
  const type = string(t["type"], `${at}.type`);
  if (type !== "function") throw badRequest(`${at}.type`, `"${type.slice(0, 32)}" tools are not supported by the gateway (function tools are)`);
  const fn = object(t["function"], `${at}.function`);
  const parameters = optional(fn, "parameters", object, `${at}.function.`);
  return {
    name: string(fn["name"], `${at}.function.name`),
    description: optional(fn, "description", string, `${at}.function.`) ?? "",
    parameters: JSON.stringify(parameters ?? { type: "object", properties: {} }),
    strict: optional(fn, "strict", boolean, `${at}.function.`) ?? false,
  };
}

function toolChoice(value: unknown): MessageInitShape<typeof ToolChoiceSchema> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") {
    const mode = { none: ToolChoiceMode.NONE, auto: ToolChoiceMode.AUTO, required: ToolChoiceMode.REQUIRED }[value];
    if (mode === undefined) throw badRequest("tool_choice", "must be none, auto, required or a function");
    return { choice: { case: "mode", value: mode } };
  }
  const choice = object(value, "tool_choice");
  if (choice["type"] !== "function") throw badRequest("tool_choice.type", `must be "function"`);
  return { choice: { case: "tool", value: string(object(choice["function"], "tool_choice.function")["name"], "tool_choice.function.name") } };
}

function responseFormat(value: unknown): MessageInitShape<typeof ResponseFormatSchema> | undefined {
  if (value === undefined || value === null) return undefined;
  const format = object(value, "response_format");
  const type = string(format["type"], "response_format.type");
  if (type === "text") return { type: ResponseFormatType.TEXT };
  if (type === "json_object") return { type: ResponseFormatType.JSON_OBJECT };
  if (type !== "json_schema") throw badRequest("response_format.type", "must be text, json_object or json_schema");
  const spec = object(format["json_schema"], "response_format.json_schema");
  const schema = optional(spec, "schema", object, "response_format.json_schema.");
  return {
    type: ResponseFormatType.JSON_SCHEMA,
    name: string(spec["name"], "response_format.json_schema.name"),
    description: optional(spec, "description", string, "response_format.json_schema.") ?? "",
    schema: schema === undefined ? "" : JSON.stringify(schema),
    strict: optional(spec, "strict", boolean, "response_format.json_schema.") ?? false,
  };
}

function reasoning(value: unknown): { effort: ReasoningEffort } | undefined {
  if (value === undefined || value === null) return undefined;
  const effort = EFFORT[string(value, "reasoning_effort")];
  if (effort === undefined) throw badRequest("reasoning_effort", "must be none, minimal, low, medium or high");
  return { effort };
}

/**
 * An Anthropic Messages request -> the contract's CompleteRequest: model, system and messages, max_tokens (required,
 * as on Anthropic), sampling, stop sequences, tools and tool choice, thinking, a JSON-schema output format, and the
 * gateway's extras from the headers. Unknown top-level fields are refused as Anthropic refuses them.
 */
import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { ReasoningEffort, ResponseFormatType, ToolChoiceMode } from "../../../../gen/llmgateway/v1/content_pb.js";
import type { ReasoningSchema, ResponseFormatSchema, ToolChoiceSchema, ToolSchema } from "../../../../gen/llmgateway/v1/content_pb.js";
import { CompleteRequestSchema } from "../../../../gen/llmgateway/v1/gateway_pb.js";
import type { CompleteRequest } from "../../../../gen/llmgateway/v1/gateway_pb.js";
import type { RequestExtras } from "../extras.js";
import { arr, bool, fieldError, int, join, num, obj, oneOf, onlyKeys, opt, str } from "./check.js";
import type { Obj } from "./check.js";
import { toConversation } from "./content.js";

/** Top-level fields the door maps. */
const MAPPED = ["model", "messages", "max_tokens", "system", "temperature", "top_p", "stop_sequences", "stream", "tools", "tool_choice", "thinking", "output_config", "output_format"];
/** Top-level fields Anthropic takes that change nothing in the answer's content: accepted and ignored. */
export const IGNORED_FIELDS = ["metadata", "service_tier", "cache_control", "speed"] as const;
/** Top-level fields the gateway cannot honour (a sampling control it has not, Anthropic-hosted features): refused by name. */
const UNSUPPORTED = new Set(["top_k", "container", "mcp_servers", "context_management", "diagnostics", "inference_geo", "user_profile_id", "workspace_id"]);
const KNOWN = new Set([...MAPPED, ...IGNORED_FIELDS, ...UNSUPPORTED]);
const TOOL = new Set(["name", "description", "input_schema", "cache_control", "strict", "type"]);
const EFFORT: Record<string, ReasoningEffort> = { low: ReasoningEffort.LOW, medium: ReasoningEffort.MEDIUM, high: ReasoningEffort.HIGH, xhigh: ReasoningEffort.HIGH, max: ReasoningEffort.HIGH };
/** Anthropic's least thinking budget. */
const MIN_BUDGET = 1024;

/** A translated request: the contract's request, whether to stream, and each message's Anthropic path. */
export interface DoorRequest {
  readonly request: CompleteRequest;
  readonly stream: boolean;
  /** `at[i]` is the Anthropic path (`messages.2.content.0`) of the contract's `messages[i]`. */
  readonly at: readonly string[];
}

/** Translates a parsed Messages body; a 400 naming the field for anything Anthropic would refuse. */
export function toDoorRequest(body: unknown, extras: RequestExtras): DoorRequest {
  const b = obj(body, "body");
  for (const k of Object.keys(b)) {
    if (!KNOWN.has(k)) throw fieldError(k, "Extra inputs are not permitted");
    if (UNSUPPORTED.has(k) && b[k] !== null) throw fieldError(k, "is not supported by the gateway");
  }
  if (b["model"] === undefined) throw fieldError("model", "Field required");
  if (b["messages"] === undefined) throw fieldError("messages", "Field required");
  if (b["max_tokens"] === undefined) throw fieldError("max_tokens", "Field required");
  const model = str(b["model"], "model");
  const maxTokens = int(b["max_tokens"], "max_tokens", 1);
  const conversation = toConversation(opt(b, "system"), b["messages"]);
  const temperature = optNum(b, "temperature", 1);
  const topP = optNum(b, "top_p", 1);
  const stopRaw = opt(b, "stop_sequences");
  const stop = stopRaw === undefined ? [] : arr(stopRaw, "stop_sequences").map((s, i) => str(s, `stop_sequences.${i}`));
  const stream = opt(b, "stream") === undefined ? false : bool(b["stream"], "stream");
  const tools = opt(b, "tools") === undefined ? [] : arr(b["tools"], "tools").map((t, i) => tool(t, `tools.${i}`));
  const choice = opt(b, "tool_choice") === undefined ? undefined : toolChoice(obj(b["tool_choice"], "tool_choice"));
  const metadata = opt(b, "metadata") === undefined ? {} : obj(b["metadata"], "metadata");
  onlyKeys(metadata, "metadata", new Set(["user_id"]));
  if (opt(metadata, "user_id") !== undefined) str(metadata["user_id"], "metadata.user_id");
  const outputConfig = opt(b, "output_config") === undefined ? {} : obj(b["output_config"], "output_config");
  onlyKeys(outputConfig, "output_config", new Set(["format", "effort"]));
  const request = create(CompleteRequestSchema, {
    model,
    messages: conversation.messages,
    maxTokens,
    ...(temperature !== undefined ? { temperature } : {}),
    ...(topP !== undefined ? { topP } : {}),
    stop,
    tools,
    ...(choice?.toolChoice ? { toolChoice: choice.toolChoice } : {}),
    ...(choice?.parallel === false ? { parallelToolCalls: false } : {}),
    ...responseFormat(b, outputConfig),
    ...reasoning(opt(b, "thinking"), opt(outputConfig, "effort"), maxTokens),
    complexity: extras.complexity,
    tags: extras.tags,
    requestId: extras.requestId,
  });
  return { request, stream, at: conversation.at };
}

function optNum(b: Obj, key: string, max: number): number | undefined {
  const v = opt(b, key);
  if (v === undefined) return undefined;
  const n = num(v, key);
  if (n < 0) throw fieldError(key, "Input should be greater than or equal to 0");
  if (n > max) throw fieldError(key, `Input should be less than or equal to ${max}`);
  return n;
}

function tool(t: unknown, at: string): MessageInitShape<typeof ToolSchema> {
  const o = obj(t, at);
  const type = opt(o, "type");
  if (type !== undefined && type !== "custom") throw fieldError(join(at, "type"), `server tools ('${String(type).slice(0, 64)}') are not supported by the gateway; declare custom tools`);
  onlyKeys(o, at, TOOL);
  if (o["input_schema"] === undefined) throw fieldError(join(at, "input_schema"), "Field required");
  const schema = obj(o["input_schema"], join(at, "input_schema"));
  const description = opt(o, "description");
  const strict = opt(o, "strict");
  return {
    name: str(o["name"], join(at, "name")),
    description: description === undefined ? "" : str(description, join(at, "description")),
    parameters: JSON.stringify(schema),
    strict: strict === undefined ? false : bool(strict, join(at, "strict")),
  };
}

function toolChoice(o: Obj): { toolChoice: MessageInitShape<typeof ToolChoiceSchema>; parallel: boolean } {
  const type = oneOf(o["type"], "tool_choice.type", ["auto", "any", "tool", "none"] as const);
  onlyKeys(o, "tool_choice", new Set(type === "tool" ? ["type", "name", "disable_parallel_tool_use"] : type === "none" ? ["type"] : ["type", "disable_parallel_tool_use"]));
  const disable = opt(o, "disable_parallel_tool_use");
  const parallel = disable === undefined ? true : !bool(disable, "tool_choice.disable_parallel_tool_use");
  if (type === "tool") return { toolChoice: { choice: { case: "tool", value: str(o["name"], "tool_choice.name") } }, parallel };
  const mode = type === "auto" ? ToolChoiceMode.AUTO : type === "any" ? ToolChoiceMode.REQUIRED : ToolChoiceMode.NONE;
  return { toolChoice: { choice: { case: "mode", value: mode } }, parallel };
}

/** output_config.format (or the older output_format): a JSON schema the answer's text must match. */
function responseFormat(b: Obj, outputConfig: Obj): { responseFormat?: MessageInitShape<typeof ResponseFormatSchema> } {
  const current = opt(outputConfig, "format");
  const legacy = opt(b, "output_format");
  if (current !== undefined && legacy !== undefined) throw fieldError("output_format", "give output_config.format or output_format, not both");
  const path = current !== undefined ? "output_config.format" : "output_format";
  const raw = current ?? legacy;
  if (raw === undefined) return {};
  const f = obj(raw, path);
  oneOf(f["type"], join(path, "type"), ["json_schema"] as const);
  onlyKeys(f, path, new Set(["type", "schema"]));
  const schema = obj(f["schema"], join(path, "schema"));
  return { responseFormat: { type: ResponseFormatType.JSON_SCHEMA, name: "response", schema: JSON.stringify(schema), strict: true } };
}

/** thinking and output_config.effort -> the contract's reasoning (a budget wins over an effort). */
function reasoning(thinking: unknown, effort: unknown, maxTokens: number): { reasoning?: MessageInitShape<typeof ReasoningSchema> } {
  const level = effort === undefined ? undefined : EFFORT[oneOf(effort, "output_config.effort", ["low", "medium", "high", "xhigh", "max"] as const)];
  if (thinking === undefined) return level === undefined ? {} : { reasoning: { effort: level } };
  const t = obj(thinking, "thinking");
  const type = oneOf(t["type"], "thinking.type", ["enabled", "disabled", "adaptive"] as const);
  if (type === "disabled") {
    onlyKeys(t, "thinking", new Set(["type"]));
    return { reasoning: { effort: ReasoningEffort.NONE } };
  }
  onlyKeys(t, "thinking", new Set(type === "enabled" ? ["type", "budget_tokens", "display"] : ["type", "display"]));
  if (opt(t, "display") !== undefined) oneOf(t["display"], "thinking.display", ["summarized", "omitted"] as const);
  if (type === "adaptive") return { reasoning: { effort: level ?? ReasoningEffort.MEDIUM } };
  if (t["budget_tokens"] === undefined) throw fieldError("thinking.budget_tokens", "Field required");
  const budgetTokens = int(t["budget_tokens"], "thinking.budget_tokens", MIN_BUDGET);
  if (budgetTokens >= maxTokens) throw fieldError("max_tokens", "must be greater than thinking.budget_tokens");
  return { reasoning: { budgetTokens } };
}

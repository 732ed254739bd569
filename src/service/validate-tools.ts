/** Validation of tools, tool choice, response format and reasoning: every problem names its field. */
import { compileSchema } from "../gateway/answer/json-schema.js";
import type { ToolSpec } from "../gateway/types.js";
import type { ChatRequest } from "../providers/types.js";
import type { CompleteRequest } from "../../gen/llmgateway/v1/gateway_pb.js";
import type { Reasoning, ResponseFormat, Tool, ToolChoice } from "../../gen/llmgateway/v1/content_pb.js";
import { ReasoningEffort, ResponseFormatType, ToolChoiceMode } from "../../gen/llmgateway/v1/content_pb.js";
import { invalid, LIMITS, TOOL_NAME } from "./limits.js";

type Extras = Pick<ChatRequest, "tools" | "toolChoice" | "parallelToolCalls" | "responseFormat" | "reasoning">;

const EFFORT: Partial<Record<ReasoningEffort, NonNullable<ChatRequest["reasoning"]>["effort"]>> = {
  [ReasoningEffort.NONE]: "none",
  [ReasoningEffort.MINIMAL]: "minimal",
  [ReasoningEffort.LOW]: "low",
  [ReasoningEffort.MEDIUM]: "medium",
  [ReasoningEffort.HIGH]: "high",
};
const SCHEMA_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Validates the request's tools, tool choice, response format and reasoning, and translates them. */
export function toExtras(req: CompleteRequest, f: (name: string) => string): Extras {
  if (req.tools.length > LIMITS.maxTools) throw invalid(f("tools"), `must have at most ${LIMITS.maxTools} tools`);
  const tools = req.tools.map((t, i) => toTool(t, f(`tools[${i}]`)));
  const names = new Set<string>();
  tools.forEach((t, i) => {
    if (names.has(t.name)) throw invalid(f(`tools[${i}].name`), `repeats the tool name "${t.name}"`);
    names.add(t.name);
  });
  const toolChoice = toToolChoice(req.toolChoice, names, f("tool_choice"));
  if (req.parallelToolCalls !== undefined && tools.length === 0) throw invalid(f("parallel_tool_calls"), "applies only when tools are given");
  const responseFormat = toResponseFormat(req.responseFormat, f("response_format"));
  const reasoning = toReasoning(req.reasoning, f("reasoning"));
  return {
    ...(tools.length > 0 ? { tools } : {}),
    ...(toolChoice ? { toolChoice } : {}),
    ...(req.parallelToolCalls !== undefined ? { parallelToolCalls: req.parallelToolCalls } : {}),
    ...(responseFormat ? { responseFormat } : {}),
    ...(reasoning ? { reasoning } : {}),
  };
}

/** Parses and compiles a JSON Schema given as text; it must be an object schema when `objectRoot`. */
function toSchema(text: string, field: string, objectRoot: boolean): Record<string, unknown> {
  if (text.length > LIMITS.maxSchemaChars) throw invalid(field, `is longer than ${LIMITS.maxSchemaChars} characters`);
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch {
    throw invalid(field, "is not JSON");
  }
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) throw invalid(field, "must be a JSON Schema object");
  const root = schema as Record<string, unknown>;
  // Every provider takes tool arguments as an object: the root says so (type object, or properties with no type).
  if (objectRoot && (root["type"] !== undefined ? root["type"] !== "object" : root["properties"] === undefined)) {
    throw invalid(`${field}.type`, 'must be "object": tool arguments are an object');
  }
  const compiled = compileSchema(root);
  if (!compiled.ok) throw invalid(field, `is not valid JSON Schema: ${compiled.reason}`);
  return root;
}

function toTool(t: Tool, at: string): ToolSpec {
  if (!TOOL_NAME.test(t.name)) throw invalid(`${at}.name`, "must be a letter or _, then letters, digits, _ or -, at most 64 characters");
  if (t.description.length > LIMITS.maxToolDescriptionChars) throw invalid(`${at}.description`, `is longer than ${LIMITS.maxToolDescriptionChars} characters`);
  const parameters = t.parameters === "" ? undefined : toSchema(t.parameters, `${at}.parameters`, true);
  return { name: t.name, ...(t.description ? { description: t.description } : {}), ...(parameters ? { parameters } : {}), ...(t.strict ? { strict: true } : {}) };
}

function toToolChoice(c: ToolChoice | undefined, names: ReadonlySet<string>, at: string): ChatRequest["toolChoice"] {
  const choice = c?.choice;
  if (choice === undefined || choice.case === undefined) return undefined;
  if (choice.case === "tool") {
    if (!names.has(choice.value)) throw invalid(`${at}.tool`, `names no declared tool: "${choice.value.slice(0, 64)}"`);
    return { mode: "tool", name: choice.value };
  }
  const mode = choice.value === ToolChoiceMode.NONE ? "none" : choice.value === ToolChoiceMode.REQUIRED ? "required" : choice.value === ToolChoiceMode.AUTO ? "auto" : undefined;
  if (mode === undefined) return undefined;
  if (mode === "required" && names.size === 0) throw invalid(`${at}.mode`, "TOOL_CHOICE_MODE_REQUIRED needs tools");
  return names.size === 0 ? undefined : { mode };
}

function toResponseFormat(r: ResponseFormat | undefined, at: string): ChatRequest["responseFormat"] {
  if (!r) return undefined;
  const isSchema = r.type === ResponseFormatType.JSON_SCHEMA;
  if (!isSchema && (r.schema !== "" || r.name !== "" || r.strict)) throw invalid(`${at}.schema`, "schema, name and strict apply only to RESPONSE_FORMAT_TYPE_JSON_SCHEMA");
  if (r.type === ResponseFormatType.JSON_OBJECT) return { type: "json_object" };
  if (!isSchema) return undefined;
  if (r.schema === "") throw invalid(`${at}.schema`, "is required with RESPONSE_FORMAT_TYPE_JSON_SCHEMA");
  if (r.name !== "" && !SCHEMA_NAME.test(r.name)) throw invalid(`${at}.name`, "must be 1 to 64 letters, digits, _ or -");
  const schema = toSchema(r.schema, `${at}.schema`, false);
  return {
    type: "json_schema",
    name: r.name || "response",
    ...(r.description ? { description: r.description } : {}),
    schema,
    strict: r.strict,
    skipValidation: r.skipValidation,
  };
}

function toReasoning(r: Reasoning | undefined, at: string): ChatRequest["reasoning"] {
  if (!r) return undefined;
  if (r.budgetTokens !== undefined) {
    if (r.budgetTokens > LIMITS.maxReasoningBudget) throw invalid(`${at}.budget_tokens`, `must be at most ${LIMITS.maxReasoningBudget}`);
    return { budgetTokens: r.budgetTokens };
  }
  const effort = EFFORT[r.effort];
  return effort === undefined ? undefined : { effort };
}

/** Checks an answer against what the request asked for: JSON (matching its schema), and well-formed tool calls. */
import type { ChatRequest, ToolCall } from "../../providers/types.js";
import { compileSchema, firstError } from "./json-schema.js";

/** The parts of an answer the check reads. */
export interface Checked {
  readonly text: string;
  readonly toolCalls: readonly ToolCall[];
  readonly refusal: string | undefined;
}

/** True when a request asks the gateway to hold and check a streamed answer's text before sending it. */
export function holdsText(chat: ChatRequest): boolean {
  const f = chat.responseFormat;
  return f !== undefined && (f.type === "json_object" || (f.type === "json_schema" && !f.skipValidation));
}

/** Parses JSON text, or undefined when it is not JSON. */
function parse(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Why an answer does not do what the request asked (a provider fault), or undefined when it does. */
export function answerProblem(chat: ChatRequest, answer: Checked): string | undefined {
  const declared = chat.tools === undefined ? undefined : new Set(chat.tools.map((t) => t.name));
  for (const call of answer.toolCalls) {
    if (declared !== undefined && !declared.has(call.name)) return `the model called an undeclared tool "${call.name.slice(0, 64)}"`;
    const args = parse(call.arguments);
    if (!args || !isObject(args.value)) return `the arguments of tool call "${call.name.slice(0, 64)}" are not a JSON object`;
  }
  const format = chat.responseFormat;
  // A refusal, or an answer of tool calls, is not the JSON answer: nothing to check.
  if (answer.refusal !== undefined || answer.toolCalls.length > 0 || format === undefined || format.type === "text") return undefined;
  if (format.type === "json_schema" && format.skipValidation) return undefined;
  const json = parse(answer.text);
  if (!json) return "the answer is not JSON";
  if (format.type === "json_object") return isObject(json.value) ? undefined : "the answer is not a JSON object";
  const compiled = compileSchema(format.schema);
  if (!compiled.ok) return undefined; // validated at the edge; unreachable
  return compiled.validate(json.value) ? undefined : `the answer does not match the response schema: ${firstError(compiled.validate.errors)}`;
}

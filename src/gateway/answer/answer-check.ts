/**
 * Checks an answer against what the request asked for: JSON (matching its schema), well-formed tool calls, and
 * arguments matching the schema of a strict tool. A check the answer fails is a provider fault (it fails over).
 */
import type { ChatRequest, FinishReason, ToolCall } from "../../providers/types.js";
import { compileSchema, firstError } from "./json-schema.js";
import { withoutNulls } from "./nulls.js";

/** The parts of an answer the check reads. */
export interface Checked {
  readonly text: string;
  readonly toolCalls: readonly ToolCall[];
  readonly refusal: string | undefined;
  readonly finishReason: FinishReason;
}

/**
 * The check's verdict: a problem, or a pass, with the text or tool calls to send in place of the model's when they
 * pass only without the nulls a provider's strict mode adds for optional properties (OpenAI strict has every
 * property required, the optional ones nullable: `"b": null` means "no b").
 */
export type Verdict =
  | { readonly problem: string }
  | { readonly problem?: undefined; readonly text?: string; readonly toolCalls?: readonly ToolCall[] };

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

/** Validates a parsed value: undefined when it matches as is, the text to send when it matches without its added nulls, else the problem. */
function validate(schema: Readonly<Record<string, unknown>>, value: unknown): { ok: true; rewritten?: string } | { ok: false; problem: string } {
  const compiled = compileSchema(schema);
  // Validated at the edge; a schema that no longer compiles is not the provider's fault.
  if (!compiled.ok) return { ok: true };
  if (compiled.validate(value)) return { ok: true };
  const problem = firstError(compiled.validate.errors);
  const stripped = withoutNulls(value, schema);
  if (stripped !== value && compiled.validate(stripped)) return { ok: true, rewritten: JSON.stringify(stripped) };
  return { ok: false, problem };
}

/** Checks the tool calls; undefined calls when none changed. */
function checkCalls(chat: ChatRequest, calls: readonly ToolCall[]): { problem: string } | { calls: readonly ToolCall[] | undefined } {
  if (calls.length === 0) return { calls: undefined };
  const tools = new Map((chat.tools ?? []).map((t) => [t.name, t]));
  let changed: ToolCall[] | undefined;
  for (const [i, call] of calls.entries()) {
    const name = call.name.slice(0, 64);
    const tool = tools.get(call.name);
    if (chat.tools !== undefined && !tool) return { problem: `the model called an undeclared tool "${name}"` };
    const args = parse(call.arguments);
    if (!args || !isObject(args.value)) return { problem: `the arguments of tool call "${name}" are not a JSON object` };
    if (!tool?.strict || !tool.parameters) continue;
    const v = validate(tool.parameters, args.value);
    if (!v.ok) return { problem: `the arguments of tool call "${name}" do not match its schema: ${v.problem}` };
    if (v.rewritten !== undefined) (changed ??= [...calls])[i] = { ...call, arguments: v.rewritten };
  }
  return { calls: changed };
}

/** Checks an answer; see Verdict. An answer cut at max_tokens or filtered is passed as it is: its finish reason says why. */
export function checkAnswer(chat: ChatRequest, answer: Checked): Verdict {
  if (answer.finishReason === "length" || answer.finishReason === "content_filter") return {};
  const calls = checkCalls(chat, answer.toolCalls);
  if ("problem" in calls) return calls;
  const toolCalls = calls.calls ? { toolCalls: calls.calls } : {};
  const format = chat.responseFormat;
  // A refusal, or an answer of tool calls, is not the JSON answer: no JSON to check.
  if (answer.refusal !== undefined || answer.toolCalls.length > 0 || format === undefined || format.type === "text") return toolCalls;
  if (format.type === "json_schema" && format.skipValidation) return toolCalls;
  const json = parse(answer.text);
  if (!json) return { problem: "the answer is not JSON" };
  if (format.type === "json_object") return isObject(json.value) ? toolCalls : { problem: "the answer is not a JSON object" };
  const v = validate(format.schema, json.value);
  if (!v.ok) return { problem: `the answer does not match the response schema: ${v.problem}` };
  return v.rewritten !== undefined ? { ...toolCalls, text: v.rewritten } : toolCalls;
}

/** Reading an OpenAI Chat Completions request in the simulator, as strict as the API where translations go wrong. */
import type { SimRequest, SimTool } from "../answer.js";
import { strictSchemaProblem } from "./openai-strict.js";

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

/** The text of a message's content (a string, or its text parts), and its images. */
function readContent(content: unknown): { text: string; images: number } {
  if (typeof content === "string") return { text: content, images: 0 };
  let text = "";
  let images = 0;
  for (const part of list(content)) {
    if (!isObj(part)) continue;
    if (part["type"] === "text" && typeof part["text"] === "string") text += part["text"];
    if (part["type"] === "image_url") images++;
  }
  return { text, images };
}

/** True when the request asks for reasoning: a reasoning_effort other than "none". */
function wantsReasoning(body: Obj): boolean {
  return typeof body["reasoning_effort"] === "string" && body["reasoning_effort"] !== "none";
}

/** Why the API would answer 400 invalid_request_error to these messages; undefined when it would not. */
function messagesProblem(messages: readonly unknown[], reasoning: boolean): string | undefined {
  if (messages.length === 0) return "Invalid 'messages': empty array";
  const calls = new Set<string>();
  for (const [i, m] of messages.entries()) {
    if (!isObj(m)) return `Invalid 'messages[${i}]': expected an object`;
    if (m["role"] === "assistant") {
      const toolCalls = list(m["tool_calls"]);
      const content = m["content"];
      if (toolCalls.length === 0 && (content === null || content === undefined)) {
        return `Invalid 'messages[${i}]': an assistant message must have 'content' or 'tool_calls'`;
      }
      for (const [j, c] of toolCalls.entries()) {
        const fn = isObj(c) ? c["function"] : undefined;
        if (!isObj(c) || typeof c["id"] !== "string" || c["type"] !== "function" || !isObj(fn) || typeof fn["name"] !== "string" || typeof fn["arguments"] !== "string") {
          return `Invalid 'messages[${i}].tool_calls[${j}]': expected {id, type:"function", function:{name, arguments}}`;
        }
        calls.add(c["id"]);
      }
      // DeepSeek in thinking mode: a turn with tool calls must come back with its reasoning_content.
      if (reasoning && toolCalls.length > 0 && (typeof m["reasoning_content"] !== "string" || m["reasoning_content"] === "")) {
        return `Invalid 'messages[${i}]': the reasoning_content in the thinking mode must be passed back to the API`;
      }
    }
    if (m["role"] === "tool" && (typeof m["tool_call_id"] !== "string" || !calls.has(m["tool_call_id"]))) {
      return `Invalid parameter: messages[${i}] with role 'tool' must be a response to a preceeding message with 'tool_calls'`;
    }
  }
  return undefined;
}

/** The declared tools, or a reason the API would reject them. */
function readTools(body: Obj): SimTool[] | string {
  const tools: SimTool[] = [];
  for (const [i, t] of list(body["tools"]).entries()) {
    const fn = isObj(t) ? t["function"] : undefined;
    if (!isObj(t) || t["type"] !== "function" || !isObj(fn) || typeof fn["name"] !== "string") return `Invalid 'tools[${i}]': expected {type:"function", function:{name}}`;
    if (fn["strict"] === true) {
      const p = strictSchemaProblem(fn["parameters"]);
      if (p !== undefined) return `Invalid schema for function '${fn["name"]}': ${p}`;
    }
    tools.push({ name: fn["name"], parameters: fn["parameters"] });
  }
  return tools;
}

function readToolChoice(choice: unknown, tools: readonly SimTool[]): SimRequest["toolChoice"] | string {
  if (choice === undefined) return undefined;
  if (tools.length === 0) return "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified";
  if (choice === "auto" || choice === "none" || choice === "required") return choice;
  const fn = isObj(choice) && choice["type"] === "function" ? choice["function"] : undefined;
  const name = isObj(fn) ? fn["name"] : undefined;
  if (typeof name !== "string" || !tools.some((t) => t.name === name)) return "Invalid value for 'tool_choice': no such function";
  return { name };
}

function readJson(format: unknown): SimRequest["json"] | string {
  if (!isObj(format) || format["type"] === "text") return undefined;
  if (format["type"] === "json_object") return {};
  const spec = format["json_schema"];
  if (format["type"] !== "json_schema" || !isObj(spec) || typeof spec["name"] !== "string") return "Invalid 'response_format'";
  if (spec["strict"] === true) {
    const p = strictSchemaProblem(spec["schema"]);
    if (p !== undefined) return `Invalid schema for response_format '${spec["name"]}': ${p}`;
  }
  return { schema: spec["schema"] };
}

/** The simulator's request, or why the API would answer 400 (a string). */
export function readOpenAiRequest(body: Obj): SimRequest | string {
  const messages = list(body["messages"]);
  const reasoning = wantsReasoning(body);
  const problem = messagesProblem(messages, reasoning);
  if (problem !== undefined) return problem;
  const tools = readTools(body);
  if (typeof tools === "string") return tools;
  const toolChoice = readToolChoice(body["tool_choice"], tools);
  if (typeof toolChoice === "string") return toolChoice;
  if (body["parallel_tool_calls"] !== undefined && tools.length === 0) return "Invalid value for 'parallel_tool_calls': only allowed when 'tools' are specified";
  const json = readJson(body["response_format"]);
  if (typeof json === "string") return json;
  const contents = messages.map((m) => readContent(isObj(m) ? m["content"] : undefined));
  const streamOptions = body["stream_options"];
  const max = body["max_completion_tokens"] ?? body["max_tokens"];
  const images = contents.reduce((n, c) => n + c.images, 0);
  const last = messages.at(-1);
  return {
    model: typeof body["model"] === "string" ? body["model"] : "unknown",
    prompt: contents.map((c) => c.text).join("\n"),
    maxTokens: typeof max === "number" ? max : undefined,
    stream: body["stream"] === true,
    includeUsage: isObj(streamOptions) && streamOptions["include_usage"] === true,
    tools,
    ...(toolChoice !== undefined ? { toolChoice } : {}),
    ...(typeof body["parallel_tool_calls"] === "boolean" ? { parallelToolCalls: body["parallel_tool_calls"] } : {}),
    afterToolResult: isObj(last) && last["role"] === "tool",
    ...(json !== undefined ? { json } : {}),
    ...(images > 0 ? { images } : {}),
    ...(reasoning ? { reasoning } : {}),
  };
}

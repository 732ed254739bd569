/** ChatRequest -> a Gemini generateContent body: contents, tools, tool config and generation config. */
import { reasoningBudget, wantsReasoning } from "../reasoning.js";
import type { ChatMessage, ChatRequest, ContentPart, ReasoningBlock, ResponseFormat, ToolChoice, ToolSpec } from "../types.js";
import { argsObject } from "./check.js";
import { toGeminiSchema } from "./schema.js";

/** The documented placeholder for a function call whose signature was lost or never existed (another provider's turn). */
export const SKIP_SIGNATURE = "skip_thought_signature_validator";

type Part = Record<string, unknown>;

/** One Gemini `Content`. */
export interface GeminiContent {
  role: "user" | "model";
  parts: Part[];
}

/** A text or image part; an image URL becomes `fileData` (check() refuses it first: Gemini fetches no web URLs). */
function contentPart(p: ContentPart): Part {
  if (p.type === "text") return { text: p.text };
  const img = p.image;
  if (img.kind === "base64") return { inlineData: { mimeType: img.mediaType, data: img.data } };
  return { fileData: { fileUri: img.url, ...(img.mediaType !== undefined ? { mimeType: img.mediaType } : {}) } };
}

/** The message's text and images as parts; its content as one text part when it has no parts. */
function bodyParts(m: ChatMessage): Part[] {
  return m.parts !== undefined ? m.parts.map(contentPart) : [{ text: m.content }];
}

/**
 * A model turn: text (and images), then one functionCall part per call. Gemini signatures of text parts
 * (reasoning blocks of format "gemini") go back on the last text part, the first one there and any further one on
 * an empty text part after it. A first call without a signature gets the documented placeholder.
 */
function modelParts(m: ChatMessage): Part[] {
  const parts = m.parts !== undefined ? m.parts.map(contentPart) : m.content !== "" ? [{ text: m.content }] : [];
  const signatures = (m.reasoning ?? []).filter((b): b is ReasoningBlock & { signature: string } => b.format === "gemini" && b.signature !== undefined);
  if (signatures.length > 0) {
    let last = parts.findLastIndex((p) => typeof p["text"] === "string");
    if (last < 0) last = parts.push({ text: "" }) - 1;
    const [first, ...more] = signatures;
    parts[last] = { ...parts[last], thoughtSignature: first?.signature };
    parts.splice(last + 1, 0, ...more.map((b) => ({ text: "", thoughtSignature: b.signature })));
  }
  for (const [j, c] of (m.toolCalls ?? []).entries()) {
    const signature = c.signature ?? (j === 0 ? SKIP_SIGNATURE : undefined);
    const call = { name: c.name, args: argsObject(c.arguments) ?? {}, id: c.id };
    parts.push({ functionCall: call, ...(signature !== undefined ? { thoughtSignature: signature } : {}) });
  }
  return parts.length > 0 ? parts : [{ text: "" }];
}

/** A tool result: a functionResponse named after the call it answers, output or error wrapped in an object. */
function resultPart(m: ChatMessage, names: ReadonlyMap<string, string>): Part {
  const id = m.toolCallId ?? "";
  const response = m.isError === true ? { error: m.content } : { output: m.content };
  return { functionResponse: { name: names.get(id) ?? "", id, response } };
}

/** The conversation as contents; consecutive turns of one role (tool results are user turns) become one content. */
export function toContents(messages: readonly ChatMessage[]): GeminiContent[] {
  const out: GeminiContent[] = [];
  const names = new Map<string, string>();
  for (const m of messages) {
    if (m.role === "system") continue;
    for (const c of m.toolCalls ?? []) names.set(c.id, c.name);
    const role = m.role === "assistant" ? "model" : "user";
    const parts = m.role === "assistant" ? modelParts(m) : m.role === "tool" ? [resultPart(m, names)] : bodyParts(m);
    const last = out[out.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else out.push({ role, parts });
  }
  return out;
}

/** A schema in the keywords Gemini accepts; as given when no translation exists (check() refuses that first). */
function geminiSchema(schema: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const c = toGeminiSchema(schema);
  return "schema" in c ? c.schema : { ...schema };
}

/** `tools` with one functionDeclarations entry; a tool without parameters takes no arguments. */
function toolsField(tools: readonly ToolSpec[]): unknown[] {
  const declarations = tools.map((t) => ({
    name: t.name,
    ...(t.description !== undefined ? { description: t.description } : {}),
    ...(t.parameters !== undefined ? { parametersJsonSchema: geminiSchema(t.parameters) } : {}),
  }));
  return [{ functionDeclarations: declarations }];
}

/** `toolConfig.functionCallingConfig` for a choice. */
function toolConfig(choice: ToolChoice): Record<string, unknown> {
  if (choice.mode === "tool") return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [choice.name] } };
  const mode = { auto: "AUTO", none: "NONE", required: "ANY" }[choice.mode];
  return { functionCallingConfig: { mode } };
}

/** generationConfig fields of a response format; the schema's description joins the root schema's when it has none. */
function formatConfig(f: ResponseFormat | undefined): Record<string, unknown> {
  if (f === undefined || f.type === "text") return {};
  if (f.type === "json_object") return { responseMimeType: "application/json" };
  const schema = geminiSchema(f.schema);
  if (f.description === undefined || schema["description"] !== undefined) return { responseMimeType: "application/json", responseJsonSchema: schema };
  // A $ref node may carry only $ keys: the description then sits beside a one-branch anyOf.
  const { $ref, ...rest } = schema;
  const described = $ref === undefined ? { ...schema, description: f.description } : { ...rest, description: f.description, anyOf: [{ $ref }] };
  return { responseMimeType: "application/json", responseJsonSchema: described };
}

/** The generateContent body of a request (all of it: check() has refused what Gemini cannot carry). */
export function geminiBody(request: ChatRequest): Record<string, unknown> {
  const { params, messages } = request;
  const system = messages.filter((m) => m.role === "system").map((m) => m.content);
  const body: Record<string, unknown> = { contents: toContents(messages) };
  if (system.length > 0) body["systemInstruction"] = { parts: [{ text: system.join("\n\n") }] };
  if (request.tools !== undefined && request.tools.length > 0) {
    body["tools"] = toolsField(request.tools);
    // Gemini has no switch for parallelToolCalls: false; the request is sent as is (documented in the report).
    if (request.toolChoice !== undefined) body["toolConfig"] = toolConfig(request.toolChoice);
  }
  const config: Record<string, unknown> = {};
  if (params.maxTokens !== undefined) config["maxOutputTokens"] = params.maxTokens;
  if (params.temperature !== undefined) config["temperature"] = params.temperature;
  if (params.topP !== undefined) config["topP"] = params.topP;
  if (params.stop !== undefined && params.stop.length > 0) config["stopSequences"] = params.stop;
  Object.assign(config, formatConfig(request.responseFormat));
  const budget = reasoningBudget(request.reasoning);
  if (budget !== undefined) config["thinkingConfig"] = { thinkingBudget: budget, ...(wantsReasoning(request.reasoning) ? { includeThoughts: true } : {}) };
  if (Object.keys(config).length > 0) body["generationConfig"] = config;
  return body;
}

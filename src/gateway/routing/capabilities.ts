/** What a request needs of a model beyond plain chat, and which models can give it: a filter like the context window. */
import type { Capability, ModelConfig } from "../../config/schema.js";
import { wantsReasoning } from "../../providers/reasoning.js";
import type { ChatRequest, Unsupported } from "../../providers/types.js";

/** A capability a request needs, with the first field that needs it (for the refusal). */
export interface Need {
  readonly capability: Capability;
  readonly field: string;
}

/** The capabilities a request needs, each with the first field needing it; empty for plain chat (the fast path). */
export function needs(chat: ChatRequest): Need[] {
  const out: Need[] = [];
  const tools = toolField(chat);
  if (tools !== undefined) out.push({ capability: "tools", field: tools });
  if (chat.responseFormat?.type === "json_schema") out.push({ capability: "json_schema", field: "response_format" });
  const image = imageField(chat);
  if (image !== undefined) out.push({ capability: "images", field: image });
  if (wantsReasoning(chat.reasoning)) out.push({ capability: "reasoning", field: "reasoning" });
  return out;
}

/** True when a request may need a wire-format check: anything beyond text messages and sampling parameters. */
export function beyondText(chat: ChatRequest): boolean {
  return (
    chat.tools !== undefined ||
    chat.responseFormat !== undefined ||
    chat.reasoning !== undefined ||
    chat.messages.some((m) => m.parts !== undefined || m.toolCalls !== undefined || m.role === "tool" || m.reasoning !== undefined)
  );
}

function toolField(chat: ChatRequest): string | undefined {
  if (chat.tools !== undefined && chat.tools.length > 0) return "tools";
  const i = chat.messages.findIndex((m) => m.role === "tool" || (m.toolCalls?.length ?? 0) > 0);
  return i < 0 ? undefined : `messages[${i}]`;
}

function imageField(chat: ChatRequest): string | undefined {
  for (const [i, m] of chat.messages.entries()) {
    const j = m.parts?.findIndex((p) => p.type === "image") ?? -1;
    if (j >= 0) return `messages[${i}].parts[${j}]`;
  }
  return undefined;
}

/** Why a model cannot serve a request: a capability it lacks, or what its wire format cannot carry. */
export type Unfit = { readonly need: Need } | { readonly unsupported: Unsupported };

/** Why `model` cannot serve the request, or undefined when it can; `check` asks the model's wire format. */
export function unfit(model: ModelConfig, wanted: readonly Need[], check: (model: ModelConfig) => Unsupported | undefined): Unfit | undefined {
  const need = wanted.find((n) => !model.capabilities.has(n.capability));
  if (need) return { need };
  const unsupported = check(model);
  return unsupported ? { unsupported } : undefined;
}

/** The refusal's text for one model. */
export function describeUnfit(model: string, why: Unfit): string {
  return "need" in why
    ? `${model} lacks the ${why.need.capability} capability (${why.need.field})`
    : `${model} cannot take ${why.unsupported.field}: ${why.unsupported.reason}`;
}

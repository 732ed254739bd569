/**
 * An embeddings request in the core's terms. Admission, routing, limits, budgets and the usage estimate read a
 * request's `chat`; an embeddings request's `chat` is its budget view: one user message per input and a max_tokens
 * of 0 (an embedding has no output), so every estimate (input tokens at four characters a token, cost at input
 * prices only, TPM, the usage bound) is the one the core makes for a prompt of the same texts.
 */
import type { ChatRequest } from "../../providers/types.js";
import type { EmbedInput, GatewayRequest, ServedOutcome } from "../types.js";

/** What the service hands the core for an embeddings request. */
export interface EmbedRequestInit {
  /** An embedding model or a route over embedding models. */
  readonly target: string;
  readonly inputs: readonly string[];
  readonly dimensions: number | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly requestId: string;
}

/** A served embeddings request; its usage is empty when the provider reported none (the ledger has the estimate). */
export interface EmbedOutcome extends ServedOutcome {
  /** One vector per input, in input order. */
  readonly vectors: readonly (readonly number[])[];
}

/** The budget view of a batch: one user message per input, no output. */
export function embedChatView(inputs: readonly string[]): ChatRequest {
  return { messages: inputs.map((content) => ({ role: "user" as const, content })), params: { maxTokens: 0 } };
}

/** The core request of an embeddings call. */
export function embedRequest(init: EmbedRequestInit): GatewayRequest {
  const embed: EmbedInput = { inputs: init.inputs, dimensions: init.dimensions };
  return { target: init.target, chat: embedChatView(init.inputs), complexity: undefined, tags: init.tags, requestId: init.requestId, operation: "embeddings", embed };
}

/**
 * The contract's stream -> OpenAI `chat.completion.chunk` events: the role first, text, reasoning and tool-call
 * deltas (a call's first fragment carries its id, type and name, with arguments ""), one chunk with the
 * finish_reason, a usage chunk with no choices when asked for, then `[DONE]`. Pure: it returns the event text.
 */
import type { CompleteResponse, StreamCompleteResponse } from "../../../../gen/llmgateway/v1/gateway_pb.js";
import { finishReason, reasoningFields, usageOf } from "./chat-response.js";

/** Encodes one answer's stream; every chunk has the same id and created time. */
export class ChunkEncoder {
  readonly #head: string;
  #model: string;
  #started = false;
  readonly #includeUsage: boolean;
  readonly #extras: (summary: CompleteResponse) => Record<string, unknown>;

  /**
   * `model` names the model until the summary says which answered; `extras` are the gateway's fields for the last
   * chunk (headers are gone by then).
   */
  constructor(id: string, created: number, model: string, includeUsage: boolean, extras: (summary: CompleteResponse) => Record<string, unknown>) {
    this.#head = `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":`;
    this.#model = JSON.stringify(model);
    this.#includeUsage = includeUsage;
    this.#extras = extras;
  }

  /** The event text for one message of the contract's stream. */
  encode(msg: StreamCompleteResponse): string {
    const role = this.#started ? "" : this.#chunk({ role: "assistant", content: "" });
    this.#started = true;
    const ev = msg.event;
    switch (ev.case) {
      case "delta":
        return role + this.#chunk({ content: ev.value.text });
      case "reasoning":
        return role + this.#chunk({ reasoning_content: ev.value.text });
      case "toolCall": {
        const d = ev.value;
        const call = d.id !== "" || d.name !== "" ? { index: d.index, id: d.id, type: "function", function: { name: d.name, arguments: d.arguments } } : { index: d.index, function: { arguments: d.arguments } };
        return role + this.#chunk({ tool_calls: [call] });
      }
      case "summary":
        return role + this.#end(ev.value);
      default:
        return role;
    }
  }

  #end(summary: CompleteResponse): string {
    this.#model = JSON.stringify(summary.model);
    const delta: Record<string, unknown> = { ...(summary.refusal === "" ? {} : { refusal: summary.refusal }) };
    const blocks = reasoningFields(summary.reasoning)["llmgateway_reasoning"];
    if (blocks !== undefined) delta["llmgateway_reasoning"] = blocks;
    const extras = { llmgateway: this.#extras(summary) };
    const finish = `${this.#head}${this.#model},"choices":[{"index":0,"delta":${JSON.stringify(delta)},"finish_reason":"${finishReason(summary.finishReason)}","logprobs":null}]`;
    if (!this.#includeUsage) return `data: ${finish},${JSON.stringify(extras).slice(1)}\n\ndata: [DONE]\n\n`;
    const usage = usageOf(summary.usage) ?? null;
    return `data: ${finish}}\n\ndata: ${this.#head}${this.#model},"choices":[],"usage":${JSON.stringify(usage)},${JSON.stringify(extras).slice(1)}\n\ndata: [DONE]\n\n`;
  }

  #chunk(delta: Record<string, unknown>): string {
    return `data: ${this.#head}${this.#model},"choices":[{"index":0,"delta":${JSON.stringify(delta)},"finish_reason":null,"logprobs":null}]}\n\n`;
  }
}

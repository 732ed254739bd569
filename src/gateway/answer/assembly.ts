/** Assembles a streamed answer from its events: tool calls joined from their deltas, reasoning, refusal, text. */
import type { FinishReason, ReasoningBlock, StreamEvent, ToolCall, Usage } from "../../providers/types.js";
import type { Answer, GatewayStreamEvent } from "../types.js";

/** A tool call being assembled. */
interface OpenCall {
  id: string;
  name: string;
  args: string[];
  signature: string | undefined;
}

/** The state of one streamed answer; `keepText` keeps the text too (for a check before it is sent). */
export class Assembly {
  readonly #keepText: boolean;
  readonly #text: string[] = [];
  readonly #calls: OpenCall[] = [];
  readonly #reasoning: ReasoningBlock[] = [];
  #refusal: string[] | undefined;
  finish: FinishReason = "unspecified";
  responseModel: string | undefined;
  usage: Usage | undefined;

  constructor(keepText: boolean) {
    this.#keepText = keepText;
  }

  /** Takes one event; true when it is output the client sees (text, a tool call, reasoning or a refusal). */
  add(ev: StreamEvent): boolean {
    switch (ev.type) {
      case "delta":
        if (this.#keepText) this.#text.push(ev.text);
        return true;
      case "tool_call": {
        const d = ev.delta;
        const call = (this.#calls[d.index] ??= { id: "", name: "", args: [], signature: undefined });
        if (d.id) call.id = d.id;
        if (d.name) call.name = d.name;
        if (d.signature) call.signature = d.signature;
        call.args.push(d.arguments);
        return true;
      }
      case "reasoning":
        return true;
      case "reasoning_block":
        this.#reasoning.push(ev.block);
        return false;
      case "refusal":
        (this.#refusal ??= []).push(ev.text);
        return true;
      case "usage":
        this.usage = ev.usage;
        return false;
      case "finish":
        this.finish = ev.reason;
        this.responseModel = ev.responseModel;
        return false;
    }
  }

  /**
   * Replaces the held answer's text and tool calls (after a check rewrote them) and returns the events to send
   * in place of the held ones: the reasoning as it came, then the text in one delta, then each call whole.
   */
  replace(text: string | undefined, calls: readonly ToolCall[] | undefined, held: readonly GatewayStreamEvent[]): GatewayStreamEvent[] {
    if (text !== undefined) this.#text.splice(0, this.#text.length, text);
    if (calls !== undefined) this.#calls.splice(0, this.#calls.length, ...calls.map((c) => ({ id: c.id, name: c.name, args: [c.arguments], signature: c.signature })));
    const out: GatewayStreamEvent[] = held.filter((e) => e.type === "reasoning" || e.type === "reasoning_block");
    const whole = this.#text.join("");
    if (whole !== "") out.push({ type: "delta", text: whole });
    this.toolCalls().forEach((c, index) => out.push({ type: "tool_call", delta: { index, id: c.id, name: c.name, arguments: c.arguments } }));
    return out;
  }

  /** The tool calls so far, whole. */
  toolCalls(): ToolCall[] {
    return this.#calls
      .filter((c): c is OpenCall => c !== undefined)
      .map((c) => ({ id: c.id, name: c.name, arguments: c.args.join("") || "{}", ...(c.signature ? { signature: c.signature } : {}) }));
  }

  /** The answer; `text` is the kept text (empty unless kept). A stream with tool calls finishes as "tool_calls". */
  answer(): Answer {
    const toolCalls = this.toolCalls();
    return {
      text: this.#text.join(""),
      toolCalls,
      refusal: this.#refusal?.join(""),
      reasoning: [...this.#reasoning],
      finishReason: toolCalls.length > 0 ? "tool_calls" : this.finish,
      responseModel: this.responseModel,
    };
  }
}

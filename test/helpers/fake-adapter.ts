/** A scripted in-memory provider for gateway unit tests: each call follows a step, timed by (fake) timers. */
import type { CallOptions, ProviderAdapter } from "../../src/providers/adapter.js";
import { ProviderError } from "../../src/providers/errors.js";
import type { ErrorKind } from "../../src/providers/errors.js";
import type { ChatRequest, ChatResult, FinishReason, StreamEvent, ToolCall, Unsupported, UpstreamCall, Usage } from "../../src/providers/types.js";
import type { RateLimitHint } from "../../src/providers/wire.js";
import type { EmbedCall, EmbedResult } from "../../src/providers/embed-types.js";

/** What one call does. */
export type Step =
  | {
      readonly ok: string;
      readonly delayMs?: number;
      readonly usage?: Usage;
      readonly hint?: RateLimitHint;
      readonly chunkDelayMs?: number;
      /** Tool calls after the text (streams: each call's arguments in two fragments). */
      readonly toolCalls?: readonly ToolCall[];
      /** The finish reason (default: tool_calls with calls, else stop). */
      readonly finish?: FinishReason;
    }
  | { readonly fail: ErrorKind; readonly delayMs?: number; readonly retryAfterMs?: number; readonly status?: number }
  /** Streams: send `deltas` words, then fail (or stall forever when `stall`). */
  | {
      readonly cutAfter: number;
      readonly fail?: ErrorKind;
      readonly stall?: boolean;
      readonly delayMs?: number;
      readonly chunkDelayMs?: number;
      /** Reported as a usage event before the cut; the error then carries empty usage, as a cut decoder does. */
      readonly usageBeforeCut?: Usage;
    }
  /** Never answers (streams: after reporting `usage`, when given). */
  | { readonly hang: true; readonly usage?: Usage };

/** One recorded call. */
export interface FakeCall {
  readonly model: string;
  readonly stream: boolean;
  readonly signal: AbortSignal;
}

const USAGE: Usage = { inputTokens: 10, outputTokens: 5 };

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error("aborted"));
    if (ms <= 0) return resolve(); // no timer: a 0 ms timer would still take a (fake) millisecond
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error("aborted"));
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function errorOf(step: { fail?: ErrorKind; retryAfterMs?: number; status?: number }, usage?: Usage): ProviderError {
  const kind = step.fail ?? "network";
  return new ProviderError({
    kind,
    reason: `fake ${kind}`,
    ...(step.status !== undefined ? { status: step.status } : {}),
    ...(step.retryAfterMs !== undefined ? { retryAfterMs: step.retryAfterMs } : {}),
    ...(usage ? { usage } : {}),
  });
}

/** A fake provider whose calls follow `script(callIndex, call)`; records every call. */
export class FakeAdapter implements ProviderAdapter {
  readonly name: string;
  readonly host = "fake.invalid";
  readonly calls: FakeCall[] = [];
  script: (index: number, call: UpstreamCall) => Step;

  constructor(name: string, script: Step | ((index: number, call: UpstreamCall) => Step)) {
    this.name = name;
    this.script = typeof script === "function" ? script : () => script;
  }

  /** Calls whose signal was aborted. */
  get aborted(): number {
    return this.calls.filter((c) => c.signal.aborted).length;
  }

  /** Says what of a request it cannot carry: set per test (undefined: all of it). */
  unsupported: ((request: ChatRequest) => Unsupported | undefined) | undefined;

  check(call: UpstreamCall): Unsupported | undefined {
    return this.unsupported?.(call.request);
  }

  async complete(call: UpstreamCall, options: CallOptions): Promise<ChatResult> {
    const step = this.#next(call, false, options);
    if ("hang" in step) return new Promise<never>((_, reject) => options.signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true }));
    await sleep(step.delayMs ?? 0, options.signal);
    if ("ok" in step) {
      if (step.hint) options.onRateLimit?.(step.hint);
      const calls = step.toolCalls ?? [];
      return { text: step.ok, finishReason: step.finish ?? (calls.length > 0 ? "tool_calls" : "stop"), usage: step.usage ?? USAGE, responseModel: call.upstreamModel, ...(calls.length > 0 ? { toolCalls: calls } : {}) };
    }
    throw errorOf(step);
  }

  async *stream(call: UpstreamCall, options: CallOptions): AsyncGenerator<StreamEvent> {
    const step = this.#next(call, true, options);
    if ("hang" in step) {
      if (step.usage) yield { type: "usage", usage: step.usage };
      await new Promise<never>((_, reject) => options.signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true }));
      return;
    }
    await sleep(step.delayMs ?? 0, options.signal);
    if ("ok" in step) {
      if (step.hint) options.onRateLimit?.(step.hint);
      for (const word of step.ok === "" ? [] : step.ok.split(" ")) {
        if (step.chunkDelayMs) await sleep(step.chunkDelayMs, options.signal);
        yield { type: "delta", text: word };
      }
      for (const [index, c] of (step.toolCalls ?? []).entries()) {
        const half = Math.floor(c.arguments.length / 2);
        yield { type: "tool_call", delta: { index, id: c.id, name: c.name, arguments: c.arguments.slice(0, half) } };
        if (step.chunkDelayMs) await sleep(step.chunkDelayMs, options.signal);
        yield { type: "tool_call", delta: { index, arguments: c.arguments.slice(half) } };
      }
      yield { type: "usage", usage: step.usage ?? USAGE };
      yield { type: "finish", reason: step.finish ?? "stop", responseModel: call.upstreamModel };
      return;
    }
    if ("cutAfter" in step) {
      for (let i = 0; i < step.cutAfter; i++) {
        if (step.chunkDelayMs) await sleep(step.chunkDelayMs, options.signal);
        yield { type: "delta", text: `w${i}` };
      }
      if (step.usageBeforeCut) yield { type: "usage", usage: step.usageBeforeCut };
      if (step.stall) await new Promise<never>((_, reject) => options.signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true }));
      throw errorOf(step, step.usageBeforeCut ? {} : { inputTokens: 10 });
    }
    throw errorOf(step);
  }

  /** Embeddings follow the same steps: `ok` answers one vector [i, 1] per input with `usage` (default 10 input tokens, output 0). */
  async embed(call: EmbedCall, options: CallOptions): Promise<EmbedResult> {
    const upstream: UpstreamCall = { request: { messages: call.inputs.map((content) => ({ role: "user", content })), params: {} }, upstreamModel: call.upstreamModel, defaultMaxTokens: 0 };
    const step = this.#next(upstream, false, options);
    if ("hang" in step) return new Promise<never>((_, reject) => options.signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true }));
    await sleep(step.delayMs ?? 0, options.signal);
    if ("ok" in step) return { vectors: call.inputs.map((_, i) => [i, 1]), usage: step.usage ?? { inputTokens: 10, outputTokens: 0 }, responseModel: call.upstreamModel };
    throw errorOf(step);
  }

  async close(): Promise<void> {}

  #next(call: UpstreamCall, stream: boolean, options: CallOptions): Step {
    const index = this.calls.length;
    this.calls.push({ model: call.upstreamModel, stream, signal: options.signal });
    return this.script(index, call);
  }
}

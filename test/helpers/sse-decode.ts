/** Decoding SSE fixtures through a wire format, cut at chosen byte offsets, for the adapters' tests. */
import { ProviderError } from "../../src/providers/errors.js";
import { SseParser } from "../../src/providers/sse.js";
import type { StreamEvent } from "../../src/providers/types.js";
import type { WireFormat } from "../../src/providers/wire.js";

/** Feeds SSE text through a parser and a fresh decoder, cut at the given byte offsets. */
export function decode(w: WireFormat, text: string, cuts: readonly number[] = []): { events: StreamEvent[]; error?: ProviderError } {
  const bytes = new TextEncoder().encode(text);
  const parser = new SseParser();
  const decoder = w.streamDecoder();
  const events: StreamEvent[] = [];
  try {
    let from = 0;
    for (const cut of [...cuts, bytes.length]) {
      for (const e of parser.push(bytes.subarray(from, cut))) events.push(...decoder.push(e));
      from = cut;
    }
    for (const e of parser.end()) events.push(...decoder.push(e));
    events.push(...decoder.end());
    return { events };
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    return { events, error: err };
  }
}

/** The text of the delta events, joined. */
export function text(events: readonly StreamEvent[]): string {
  return events.map((e) => (e.type === "delta" ? e.text : "")).join("");
}

/** One tool call joined from its stream deltas. */
export interface JoinedCall {
  id?: string;
  name?: string;
  arguments: string;
}

/** Each tool call's deltas joined, by its stream index: the id and name of its first piece, its arguments in order. */
export function joinedCalls(events: readonly StreamEvent[]): JoinedCall[] {
  const calls: JoinedCall[] = [];
  for (const e of events) {
    if (e.type !== "tool_call") continue;
    const c = (calls[e.delta.index] ??= { arguments: "" });
    if (e.delta.id !== undefined) c.id = e.delta.id;
    if (e.delta.name !== undefined) c.name = e.delta.name;
    c.arguments += e.delta.arguments;
  }
  return calls;
}

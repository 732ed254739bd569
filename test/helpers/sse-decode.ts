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

/** Incremental server-sent-events parser: bytes in any chunking -> whole events. */
import type { SseEvent } from "./wire.js";

/** Splits a byte stream into SSE events; an event may span chunks, and a chunk may hold many. */
export class SseParser {
  readonly #decoder = new TextDecoder("utf-8");
  #buffer = "";
  #event: string | undefined;
  #data: string[] = [];

  /** Feeds a chunk and returns the events it completed. */
  push(chunk: Uint8Array): SseEvent[] {
    this.#buffer += this.#decoder.decode(chunk, { stream: true });
    return this.#drain(false);
  }

  /** Flushes what remains at the end of the body (an event not followed by a blank line). */
  end(): SseEvent[] {
    this.#buffer += this.#decoder.decode();
    return this.#drain(true);
  }

  #drain(final: boolean): SseEvent[] {
    const out: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const nl = this.#buffer.indexOf("\n", start);
      if (nl < 0) break;
      const end = nl > start && this.#buffer.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.#line(this.#buffer.slice(start, end), out);
      start = nl + 1;
    }
    this.#buffer = this.#buffer.slice(start);
    if (final) {
      if (this.#buffer.length > 0) this.#line(this.#buffer, out);
      this.#buffer = "";
      this.#dispatch(out);
    }
    return out;
  }

  #line(line: string, out: SseEvent[]): void {
    if (line === "") {
      this.#dispatch(out);
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.#data.push(value);
    else if (field === "event") this.#event = value;
  }

  #dispatch(out: SseEvent[]): void {
    if (this.#data.length > 0) out.push({ event: this.#event, data: this.#data.join("\n") });
    this.#data = [];
    this.#event = undefined;
  }
}

/** Incremental server-sent-events parser: bytes in any chunking -> whole events. */
import { ProviderError } from "./errors.js";
import type { SseEvent } from "./wire.js";

/** The event cap of a parser made without one: the default of `server.maxProviderEventBytes`. */
const DEFAULT_MAX_EVENT = 1 << 20;

/**
 * Splits a byte stream into SSE events; an event may span chunks, and a chunk may hold many. An event (its data
 * lines, its name and the line still arriving) longer than `maxEvent` characters (a character is at least a
 * byte) fails the parse as it grows, so a provider's endless event costs about the cap, never the whole event.
 */
export class SseParser {
  readonly #decoder = new TextDecoder("utf-8");
  readonly #maxEvent: number;
  /** Characters of the event being read, besides the line still in `#buffer`. */
  #eventChars = 0;
  /** Set once an event passed the cap: the stream is failed. */
  #over = false;
  #buffer = "";
  /** Characters at the start of `#buffer` already searched for a line end (no rescans of long lines). */
  #scanned = 0;
  #event: string | undefined;
  #data: string[] = [];

  constructor(maxEvent: number = DEFAULT_MAX_EVENT) {
    this.#maxEvent = maxEvent;
  }

  /** Feeds a chunk and returns the events it completed; throws an invalid_response once an event passes the cap. */
  push(chunk: Uint8Array): SseEvent[] {
    if (this.#over) throw this.#tooLarge();
    this.#buffer += this.#decoder.decode(chunk, { stream: true });
    const out = this.#drain(false);
    if (this.#eventChars + this.#buffer.length > this.#maxEvent) {
      this.#buffer = "";
      this.#reset();
      this.#over = true;
      // The events completed before it (a usage report) are handed on first; the next push or end() throws.
      if (out.length === 0) throw this.#tooLarge();
    }
    return out;
  }

  /**
   * Flushes what remains at the end of the body. An event whose lines all arrived whole is dispatched
   * even without its closing blank line; a last line cut mid-way (no line end) is a cut stream, so it
   * and its event are dropped rather than handed on as a truncated payload.
   */
  end(): SseEvent[] {
    if (this.#over) throw this.#tooLarge();
    this.#buffer += this.#decoder.decode();
    return this.#drain(true);
  }

  #drain(final: boolean): SseEvent[] {
    const out: SseEvent[] = [];
    const buf = this.#buffer;
    const lineEnd = /[\r\n]/g;
    lineEnd.lastIndex = this.#scanned;
    let start = 0;
    let waitAt = -1;
    for (let m = lineEnd.exec(buf); m; m = lineEnd.exec(buf)) {
      const at = m.index;
      const cr = buf.charCodeAt(at) === 13;
      // A CR as the last character may be the first half of a CRLF split across chunks.
      if (cr && at + 1 === buf.length && !final) {
        waitAt = at;
        break;
      }
      this.#line(buf.slice(start, at), out);
      start = cr && buf.charCodeAt(at + 1) === 10 ? at + 2 : at + 1;
      lineEnd.lastIndex = start;
    }
    this.#buffer = buf.slice(start);
    this.#scanned = waitAt >= 0 ? waitAt - start : this.#buffer.length;
    if (final) {
      if (this.#buffer.length > 0) this.#reset();
      else this.#dispatch(out);
      this.#buffer = "";
      this.#scanned = 0;
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
    if (field === "data") {
      this.#data.push(value);
      this.#eventChars += value.length + 1;
    } else if (field === "event") {
      this.#event = value;
      this.#eventChars += value.length;
    }
  }

  #dispatch(out: SseEvent[]): void {
    if (this.#data.length > 0) out.push({ event: this.#event, data: this.#data.join("\n") });
    this.#reset();
  }

  #tooLarge(): ProviderError {
    return new ProviderError({ kind: "invalid_response", reason: `stream event over ${this.#maxEvent} bytes` });
  }

  #reset(): void {
    this.#data = [];
    this.#eventChars = 0;
    this.#event = undefined;
  }
}

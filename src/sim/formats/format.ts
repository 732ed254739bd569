/** The contract of a simulated wire format: parse a request, write answers and errors as the real API does. */
import type { SimAnswer, SimPiece, SimRequest } from "../answer.js";
import type { SimError } from "../profile.js";

/** An HTTP answer to write in one piece. */
export interface SimHttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Writes the SSE frames of one streamed answer. */
export interface SimStreamWriter {
  /** Frames before the first piece. */
  start(): string[];
  /** Frames for one piece (reasoning, text or a tool-call fragment), the `index`th of the answer. */
  piece(piece: SimPiece, index: number): string[];
  /** Frames after the last piece, with usage. */
  end(): string[];
}

/** One provider API as the simulator speaks it. */
export interface SimFormat {
  /** The path prefix a provider config's baseUrl ends with ("/v1" for OpenAI), after `/<endpoint>`. */
  readonly basePath: string;
  /** Parses a request for `path` (relative to the endpoint); undefined when the path is not this API's. */
  parse(path: string, body: unknown): SimRequest | undefined;
  /** The unary answer body. */
  unary(req: SimRequest, answer: SimAnswer): string;
  /** A writer for one streamed answer (it keeps the stream's state: open blocks, call indices). */
  streamer(req: SimRequest, answer: SimAnswer): SimStreamWriter;
  /** An error answer in the API's shape. */
  error(kind: SimError, retryAfterS: number | undefined): SimHttpAnswer;
}

/** Formats one SSE event; `event` names it when the API uses named events. */
export function sse(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
}

/** Interim bridge (text pieces only) for formats not yet writing tool calls and reasoning; to be removed. */
export interface LegacyStream {
  legacyStart(req: SimRequest, answer: SimAnswer): string[];
  legacyChunk(req: SimRequest, text: string, index: number): string[];
  legacyEnd(req: SimRequest, answer: SimAnswer): string[];
}

/** A stream writer over the interim bridge: text pieces only. */
export function legacyStreamer(f: LegacyStream, req: SimRequest, answer: SimAnswer): SimStreamWriter {
  return {
    start: () => f.legacyStart(req, answer),
    piece: (p, i) => (p.kind === "text" ? f.legacyChunk(req, p.text, i) : []),
    end: () => f.legacyEnd(req, answer),
  };
}

/** The contract of a simulated wire format: parse a request, write answers and errors as the real API does. */
import type { SimAnswer, SimPiece, SimRequest } from "../answer.js";
import type { SimError } from "../profile.js";
import type { SimEmbedFormat } from "./embeddings.js";

/** An HTTP answer to write in one piece. */
export interface SimHttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A request the real API would refuse with a 400, and why. */
export interface SimRefusal {
  readonly refused: string;
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
  /** Parses a request for `path` (relative to the endpoint); undefined when it is not this API's, a refusal (400) when the real API would refuse it. */
  parse(path: string, body: unknown): SimRequest | SimRefusal | undefined;
  /** The unary answer body. */
  unary(req: SimRequest, answer: SimAnswer): string;
  /** A writer for one streamed answer (it keeps the stream's state: open blocks, call indices). */
  streamer(req: SimRequest, answer: SimAnswer): SimStreamWriter;
  /** An error answer in the API's shape; `message` replaces the stock one. */
  error(kind: SimError, retryAfterS: number | undefined, message?: string): SimHttpAnswer;
  /** Its embeddings API, when it has one. */
  readonly embeddings?: SimEmbedFormat;
}

/** Formats one SSE event; `event` names it when the API uses named events. */
export function sse(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
}


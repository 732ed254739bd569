/** The contract of a simulated wire format: parse a request, write answers and errors as the real API does. */
import type { SimAnswer, SimRequest } from "../answer.js";
import type { SimError } from "../profile.js";

/** An HTTP answer to write in one piece. */
export interface SimHttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** One provider API as the simulator speaks it. */
export interface SimFormat {
  /** The path prefix a provider config's baseUrl ends with ("/v1" for OpenAI), after `/<endpoint>`. */
  readonly basePath: string;
  /** Parses a request for `path` (relative to the endpoint); undefined when the path is not this API's. */
  parse(path: string, body: unknown): SimRequest | undefined;
  /** The unary answer body. */
  unary(req: SimRequest, answer: SimAnswer): string;
  /** SSE frames before the first chunk. */
  streamStart(req: SimRequest, answer: SimAnswer): string[];
  /** SSE frames for one chunk of text. */
  streamChunk(req: SimRequest, text: string, index: number): string[];
  /** SSE frames after the last chunk, with usage. */
  streamEnd(req: SimRequest, answer: SimAnswer): string[];
  /** An error answer in the API's shape. */
  error(kind: SimError, retryAfterS: number | undefined): SimHttpAnswer;
}

/** Formats one SSE event; `event` names it when the API uses named events. */
export function sse(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
}

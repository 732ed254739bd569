/** The interface the gateway core calls: one provider deployment, unary or streaming. */
import type { RateLimitHint } from "./wire.js";
import type { EmbedCall, EmbedResult } from "./embed-types.js";
import type { ChatResult, StreamEvent, Unsupported, UpstreamCall } from "./types.js";

/** Per-call options: cancellation and an observer for the provider's rate-limit headers. */
export interface CallOptions {
  /** Aborts the upstream request (client gone, deadline, hedge lost). */
  readonly signal: AbortSignal;
  /** Called with the provider's rate-limit headers of the response, when it sent any. */
  readonly onRateLimit?: (hint: RateLimitHint) => void;
  /**
   * Called once when the request is on the wire (written to a connection, out of every local queue): where the
   * caller's first-token and attempt timers start, so that the gateway's own queue never counts against the provider.
   */
  readonly onDispatched?: () => void;
}

/** One provider endpoint; every method throws only ProviderError. */
export interface ProviderAdapter {
  /** The provider's config name. */
  readonly name: string;
  /** Host name of the endpoint, for spans (`server.address`). */
  readonly host: string;
  /** True when the adapter calls `CallOptions.onDispatched`; without it a call is taken as on the wire when it starts. */
  readonly signalsDispatch?: boolean;
  /** What of a request this provider's wire format cannot carry faithfully; undefined when all of it. */
  check(call: UpstreamCall): Unsupported | undefined;
  /** Calls the model and returns the whole answer. */
  complete(call: UpstreamCall, options: CallOptions): Promise<ChatResult>;
  /** Calls the model and yields its answer as it arrives; the last events carry usage and finish. */
  stream(call: UpstreamCall, options: CallOptions): AsyncIterable<StreamEvent>;
  /** Embeds a batch of texts, when the wire format has an embeddings API; absent: it has none. */
  embed?(call: EmbedCall, options: CallOptions): Promise<EmbedResult>;
  /** Closes pooled connections. */
  close(): Promise<void>;
}

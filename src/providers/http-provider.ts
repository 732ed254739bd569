/** The one HTTP layer all adapters share: undici pool per origin, timeouts, abort, size caps. */
import { Pool } from "undici";
import type { Dispatcher } from "undici";
import type { ProviderConfig } from "../config/schema.js";
import type { CallOptions, ProviderAdapter } from "./adapter.js";
import { ProviderError } from "./errors.js";
import { SseParser } from "./sse.js";
import { classifyTransportError } from "./transport-errors.js";
import type { AbortOrigin } from "./transport-errors.js";
import type { ChatResult, StreamEvent, UpstreamCall, Usage } from "./types.js";
import type { HttpRequestSpec, StreamDecoder, WireFormat } from "./wire.js";

/** Largest unary response body accepted; larger is an invalid response, not an out-of-memory. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** Largest error body read for classification. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** Largest single SSE event buffered while waiting for its end. */
const MAX_STREAM_BYTES = 32 * 1024 * 1024;

/** A provider reached over HTTP with one wire format. */
export class HttpProvider implements ProviderAdapter {
  readonly name: string;
  readonly host: string;
  readonly #config: ProviderConfig;
  readonly #wire: WireFormat;
  readonly #pool: Pool;
  readonly #basePath: string;

  constructor(config: ProviderConfig, wire: WireFormat) {
    const url = new URL(config.baseUrl);
    this.name = config.name;
    this.host = url.hostname;
    this.#config = config;
    this.#wire = wire;
    this.#basePath = url.pathname.replace(/\/$/, "");
    this.#pool = new Pool(url.origin, {
      connections: config.maxConnections,
      connectTimeout: config.timeouts.connectMs,
      keepAliveTimeout: 30_000,
      pipelining: 1,
    });
  }

  /** Sends the request and parses the whole answer. */
  async complete(call: UpstreamCall, options: CallOptions): Promise<ChatResult> {
    const spec = this.#wire.buildRequest(call, this.#config.apiKey?.reveal(), false);
    const attempt = new AttemptSignal(options.signal, this.#config.timeouts.totalMs);
    try {
      const res = await this.#send(spec, attempt.signal, options);
      const body = await readCapped(res.body, MAX_BODY_BYTES);
      return this.#wire.parseResponse(body);
    } catch (err) {
      throw classifyTransportError(err, attempt.origin());
    } finally {
      attempt.dispose();
    }
  }

  /** Sends the request and yields stream events as SSE arrives. */
  async *stream(call: UpstreamCall, options: CallOptions): AsyncGenerator<StreamEvent> {
    const spec = this.#wire.buildRequest(call, this.#config.apiKey?.reveal(), true);
    const attempt = new AttemptSignal(options.signal, this.#config.timeouts.totalMs);
    const decoder = this.#wire.streamDecoder();
    const parser = new SseParser();
    let res: Dispatcher.ResponseData | undefined;
    try {
      res = await this.#send(spec, attempt.signal, options);
      let pending = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        pending += chunk.length;
        for (const event of parser.push(chunk)) {
          pending = 0;
          yield* decoder.push(event);
        }
        if (pending > MAX_STREAM_BYTES) {
          throw new ProviderError({ kind: "invalid_response", reason: "stream event too large" });
        }
      }
      for (const event of parser.end()) yield* decoder.push(event);
      yield* decoder.end();
    } catch (err) {
      const error = classifyTransportError(err, attempt.origin());
      // A stream cut below HTTP still billed what flowed: take the usage the decoder has seen.
      throw res && error.usage === undefined ? error.withUsage(usageSoFar(decoder)) : error;
    } finally {
      attempt.dispose();
      // A consumer that stops early (hedge lost, client gone) must not leave the socket half-read.
      if (res && !res.body.destroyed) res.body.destroy();
    }
  }

  /** Closes the pool's keep-alive connections. */
  async close(): Promise<void> {
    await this.#pool.close();
  }

  async #send(spec: HttpRequestSpec, signal: AbortSignal, options: CallOptions): Promise<Dispatcher.ResponseData> {
    const res = await this.#pool.request({
      method: "POST",
      path: this.#basePath + spec.path,
      headers: spec.headers,
      body: spec.body,
      signal,
      headersTimeout: this.#config.timeouts.firstByteMs,
      bodyTimeout: this.#config.timeouts.idleMs,
    });
    const hint = this.#wire.rateLimitHint(res.headers);
    if (hint && options.onRateLimit) options.onRateLimit(hint);
    if (res.statusCode >= 200 && res.statusCode < 300) return res;
    const body = await readCapped(res.body, MAX_ERROR_BODY_BYTES, true);
    throw this.#wire.classifyError(res.statusCode, res.headers, body);
  }
}

/** The usage a decoder has seen before its stream was cut (its end() error carries it). */
function usageSoFar(decoder: StreamDecoder): Usage {
  try {
    decoder.end();
  } catch (err) {
    if (err instanceof ProviderError && err.usage) return err.usage;
  }
  return {};
}

/** The caller's signal joined with the attempt's total timeout, remembering which one fired. */
class AttemptSignal {
  readonly signal: AbortSignal;
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #caller: AbortSignal;
  readonly #onCallerAbort = (): void => this.#controller.abort(this.#caller.reason);
  #timedOut = false;

  constructor(caller: AbortSignal, totalMs: number) {
    this.#caller = caller;
    this.signal = this.#controller.signal;
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#controller.abort(new Error("total timeout"));
    }, totalMs);
    if (caller.aborted) this.#controller.abort(caller.reason);
    else caller.addEventListener("abort", this.#onCallerAbort, { once: true });
  }

  /** Which side aborted the attempt, if any did. */
  origin(): AbortOrigin | undefined {
    if (this.#timedOut) return "total_timeout";
    return this.#caller.aborted ? "caller" : undefined;
  }

  /** Clears the timer and the listener. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#caller.removeEventListener("abort", this.#onCallerAbort);
  }
}

/** Reads a body up to a limit; past it, throws invalid_response (or, for error bodies, truncates). */
async function readCapped(body: Dispatcher.ResponseData["body"], limit: number, truncate = false): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      if (truncate) break;
      throw new ProviderError({ kind: "invalid_response", reason: `response body over ${limit} bytes` });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The one HTTP layer all adapters share: undici pool per origin, timeouts, abort, size caps. */
import { Pool } from "undici";
import type { ProviderConfig } from "../config/schema.js";
import type { CallOptions, ProviderAdapter } from "./adapter.js";
import { ProviderError } from "./errors.js";
import { SseParser } from "./sse.js";
import { Exchange } from "./http-exchange.js";
import { classifyTransportError } from "./transport-errors.js";
import { PoolGate } from "./pool-gate.js";
import { defaultPool } from "../config/pool.js";
import type { ChatResult, StreamEvent, Unsupported, UpstreamCall, Usage } from "./types.js";
import type { HttpRequestSpec, StreamDecoder, WireFormat } from "./wire.js";
import type { EmbedCall, EmbedResult, EmbedWire } from "./embed-types.js";
import { billedParts, mergeParts, splitBatch } from "./embed-types.js";

/** Largest error body read for classification. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** What one call may take from the provider: past either, an invalid response and a destroyed connection, not an out-of-memory. */
export interface ProviderCaps {
  /** Largest single SSE event, bytes. */
  readonly maxEventBytes: number;
  /** Largest unary response body, bytes. */
  readonly maxBodyBytes: number;
}

/** The caps of an adapter built without any: the defaults of `server.maxProviderEventBytes` and `maxProviderBodyBytes`. */
const DEFAULT_CAPS: ProviderCaps = { maxEventBytes: 1 << 20, maxBodyBytes: 16 << 20 };

/** The stream event that names the model that answered. */
type FinishEvent = Extract<StreamEvent, { type: "finish" }>;

/** Text as it is: the scrub of a provider built without secrets to hide. */
const asIs = (text: string): string => text;

/**
 * A provider reached over HTTP with one wire format. Provider-sent text that can reach clients and spans
 * (an error's reason and type token, the response's model name) passes through `scrub`, which removes secrets
 * a careless provider echoes back; the raw body stays in the error's cause, for the (redacting) logs.
 */
export class HttpProvider implements ProviderAdapter {
  readonly name: string;
  readonly host: string;
  readonly #config: ProviderConfig;
  readonly #wire: WireFormat;
  readonly #pool: Pool;
  readonly #gate: PoolGate;
  /** Tells adapters' callers that `onDispatched` marks when a call leaves the pool's queue. */
  readonly signalsDispatch = true;
  readonly #basePath: string;
  readonly #scrub: (text: string) => string;
  readonly #caps: ProviderCaps;

  constructor(config: ProviderConfig, wire: WireFormat, scrub: (text: string) => string = asIs, caps: ProviderCaps = DEFAULT_CAPS) {
    const url = new URL(config.baseUrl);
    this.name = config.name;
    this.host = url.hostname;
    this.#config = config;
    this.#wire = wire;
    this.#scrub = scrub;
    this.#caps = caps;
    this.#basePath = url.pathname.replace(/\/$/, "");
    this.#pool = new Pool(url.origin, {
      connections: config.maxConnections,
      connectTimeout: config.timeouts.connectMs,
      keepAliveTimeout: 30_000,
      pipelining: 1,
    });
    const pool = config.pool ?? defaultPool(config.maxConnections);
    this.#gate = new PoolGate({ total: config.maxConnections + pool.maxQueued, perModel: pool.maxPerModel });
  }

  /** Sends the request and parses the whole answer. */
  check(call: UpstreamCall): Unsupported | undefined {
    return this.#wire.check(call);
  }

  complete(call: UpstreamCall, options: CallOptions): Promise<ChatResult> {
    const spec = this.#wire.buildRequest(call, this.#config.apiKey?.reveal(), false);
    return this.#unary(spec, call.upstreamModel, options, this.#wire, (text) => this.#wire.parseResponse(text));
  }

  /**
   * Embeds a batch through the wire format's embeddings API (errors classified by its own table), in parts of at
   * most its `maxBatch` inputs sent one after another; a part that fails fails the call, carrying what the parts
   * before it may have billed.
   */
  async embed(call: EmbedCall, options: CallOptions): Promise<EmbedResult> {
    const wire: EmbedWire | undefined = this.#wire.embeddings;
    if (!wire) throw new ProviderError({ kind: "invalid_request", reason: `provider ${this.name} has no embeddings API` });
    const done: EmbedResult[] = [];
    try {
      // The call is on the wire when its first part is: later parts do not restart the caller's timers.
      for (const part of splitBatch(call, wire.maxBatch)) done.push(await this.#embedPart(wire, part, done.length === 0 ? options : { ...options, onDispatched: undefined }));
    } catch (err) {
      throw done.length > 0 && err instanceof ProviderError ? err.withUsage(billedParts(done)) : err;
    }
    return mergeParts(done);
  }

  #embedPart(wire: EmbedWire, call: EmbedCall, options: CallOptions): Promise<EmbedResult> {
    const spec = wire.buildRequest(call, this.#config.apiKey?.reveal());
    return this.#unary(spec, call.upstreamModel, options, wire, (text) => wire.parseResponse(text, call));
  }

  /**
   * One request answered by one body: through the pool gate, under the total timeout, errors classified by `errors`
   * (a transport failure by the shared table), the provider's model name scrubbed of secrets.
   */
  async #unary<R extends { readonly responseModel?: string | undefined }>(spec: HttpRequestSpec, upstreamModel: string, options: CallOptions, errors: Pick<WireFormat, "classifyError">, parse: (text: string) => R): Promise<R> {
    const leave = this.#gate.enter(upstreamModel, this.name);
    const exchange = new Exchange(options.signal, this.#config.timeouts.totalMs, options.onDispatched);
    try {
      await this.#send(spec, exchange, options, errors);
      const result = parse(await exchange.text(this.#caps.maxBodyBytes, false));
      return result.responseModel === undefined ? result : { ...result, responseModel: this.#scrub(result.responseModel) };
    } catch (err) {
      throw (exchange.aborted ?? classifyTransportError(err)).scrubbed(this.#scrub);
    } finally {
      exchange.dispose();
      leave();
    }
  }

  /** Sends the request and yields stream events as SSE arrives. */
  async *stream(call: UpstreamCall, options: CallOptions): AsyncGenerator<StreamEvent> {
    const spec = this.#wire.buildRequest(call, this.#config.apiKey?.reveal(), true);
    const leave = this.#gate.enter(call.upstreamModel, this.name);
    const exchange = new Exchange(options.signal, this.#config.timeouts.totalMs, options.onDispatched);
    const decoder = this.#wire.streamDecoder();
    const parser = new SseParser(this.#caps.maxEventBytes);
    let answered = false;
    try {
      await this.#send(spec, exchange, options);
      answered = true;
      // The parser throws once an event passes its cap; the finally below then destroys the connection.
      for (let chunk = await exchange.next(); chunk !== undefined; chunk = await exchange.next()) {
        for (const event of parser.push(chunk)) {
          for (const ev of decoder.push(event)) yield ev.type === "finish" ? this.#finish(ev) : ev;
        }
      }
      for (const event of parser.end()) for (const ev of decoder.push(event)) yield ev.type === "finish" ? this.#finish(ev) : ev;
      for (const ev of decoder.end()) yield ev.type === "finish" ? this.#finish(ev) : ev;
    } catch (err) {
      const error = exchange.aborted ?? classifyTransportError(err);
      // A stream cut below HTTP still billed what flowed: take the usage the decoder has seen.
      throw (answered && error.usage === undefined ? error.withUsage(usageSoFar(decoder)) : error).scrubbed(this.#scrub);
    } finally {
      exchange.dispose();
      // A consumer that stops early (hedge lost, client gone) must not leave the socket half-read.
      exchange.cancel();
      leave();
    }
  }

  /** A finish event with its provider-sent model name scrubbed. */
  #finish(ev: FinishEvent): FinishEvent {
    return ev.responseModel === undefined ? ev : { ...ev, responseModel: this.#scrub(ev.responseModel) };
  }

  /** Closes the pool's keep-alive connections. */
  async close(): Promise<void> {
    await this.#pool.close();
  }

  /**
   * Dispatches the request on the pool and waits for the response head; feeds rate-limit headers to the
   * balancer; throws the classified error of a non-2xx answer (its body read up to MAX_ERROR_BODY_BYTES).
   */
  async #send(spec: HttpRequestSpec, exchange: Exchange, options: CallOptions, errors: Pick<WireFormat, "classifyError"> = this.#wire): Promise<void> {
    this.#pool.dispatch(
      {
        method: "POST",
        path: this.#basePath + spec.path,
        headers: spec.headers,
        body: spec.body,
        headersTimeout: this.#config.timeouts.firstByteMs,
        bodyTimeout: this.#config.timeouts.idleMs,
      },
      exchange,
    );
    const head = await exchange.head;
    const hint = this.#wire.rateLimitHint(head.headers);
    if (hint && options.onRateLimit) options.onRateLimit(hint);
    if (head.statusCode >= 200 && head.statusCode < 300) return;
    const body = await exchange.text(MAX_ERROR_BODY_BYTES, true);
    throw errors.classifyError(head.statusCode, head.headers, body);
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

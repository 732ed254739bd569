/**
 * The listener's bounds in action: admission and count of connections, the preface timer, the HTTP/1.1 server's
 * own timeouts, and the HTTP/2 idle-connection and per-stream timers. Pure decisions live in edge-policy.ts.
 */
import { metrics } from "@opentelemetry/api";
import type { Meter } from "@opentelemetry/api";
import type { IncomingMessage, ServerOptions as H1Options, ServerResponse } from "node:http";
import { constants } from "node:http2";
import type { Http2ServerRequest, Http2ServerResponse, Http2Session, ServerHttp2Stream } from "node:http2";
import type { Socket } from "node:net";
import type { EdgeConfig } from "../config/edge.js";
import { METRICS } from "../telemetry/attributes.js";
import type { Logger } from "../telemetry/log.js";
import { admit, HEALTH_PATH_PREFIX, RefusalBursts } from "./edge-policy.js";
import type { Admission } from "./edge-policy.js";
import { specEncode } from "./grpc-message.js";

/** The stages at which the gateway itself closes a connection or resets a stream. */
export type TimeoutStage = "preface" | "idle_stream" | "body" | "idle_connection";

/** The listener's counts (also reported as metrics). */
export interface EdgeStats {
  readonly open: number;
  readonly refused: number;
  readonly timedOut: Readonly<Record<TimeoutStage, number>>;
}

/** A run of refusals is one burst (logged once) until this long passes without one. */
const BURST_QUIET_MS = 10_000;

/** A connection's key: its peer address and port (unique among open connections, readable through http2's socket proxy). */
export function connectionKey(s: { readonly remoteAddress?: string | undefined; readonly remotePort?: number | undefined }): string {
  return `${s.remoteAddress ?? ""}|${s.remotePort ?? 0}`;
}

/** Whether a stream's request half is over (END_STREAM received, or the stream closed). */
function requestEnded(stream: ServerHttp2Stream): boolean {
  if (stream.destroyed || stream.closed) return true;
  const state = stream.state.state;
  return state === constants.NGHTTP2_STREAM_STATE_HALF_CLOSED_REMOTE || state === constants.NGHTTP2_STREAM_STATE_CLOSED;
}

/** One listener's connection bounds. */
export class EdgeGuard {
  readonly #limits: EdgeConfig;
  readonly #log: Logger | undefined;
  readonly #now: () => number;
  readonly #bursts = new RefusalBursts(BURST_QUIET_MS);
  readonly #preface = new Map<string, NodeJS.Timeout>();
  readonly #healthOnly = new Set<string>();
  readonly #timedOut: Record<TimeoutStage, number> = { preface: 0, idle_stream: 0, body: 0, idle_connection: 0 };
  #open = 0;
  #refused = 0;

  constructor(limits: EdgeConfig, log?: Logger, meter: Meter = metrics.getMeter("llm-gateway"), now: () => number = () => performance.now()) {
    this.#limits = limits;
    this.#log = log;
    this.#now = now;
    meter.createObservableGauge(METRICS.connectionsOpen, { description: "Client connections open at the listener" }).addCallback((r) => r.observe(this.#open));
    meter.createObservableCounter(METRICS.connectionsRefused, { description: "Client connections refused at once: the connection limit was reached" }).addCallback((r) => r.observe(this.#refused));
    meter.createObservableCounter(METRICS.edgeTimeouts, { description: "Connections closed and streams reset by the gateway's own timeouts, by stage" }).addCallback((r) => {
      for (const [stage, n] of Object.entries(this.#timedOut)) r.observe(n, { stage });
    });
  }

  /** The listener's counts now. */
  get stats(): EdgeStats {
    return { open: this.#open, refused: this.#refused, timedOut: { ...this.#timedOut } };
  }

  /** The HTTP/1.1 server's options: its own headers, request and keep-alive timeouts from the limits. */
  get h1Options(): H1Options {
    const l = this.#limits;
    const checkEvery = Math.max(5, Math.min(1000, Math.floor(Math.min(l.headersTimeoutMs, l.bodyTimeoutMs) / 4)));
    return { keepAliveTimeout: l.idleConnectionMs, headersTimeout: l.headersTimeoutMs, requestTimeout: l.headersTimeoutMs + l.bodyTimeoutMs, connectionsCheckingInterval: checkEvery };
  }

  /** The HTTP/2 settings the limits ask for. */
  get h2Settings(): { readonly maxConcurrentStreams: number } {
    return { maxConcurrentStreams: this.#limits.maxConcurrentStreams };
  }

  /** Admits a new connection: a refused one is destroyed at once; others are counted and get the preface timer. */
  accept(socket: Socket): Admission {
    const admission = socket.remotePort === undefined ? "refuse" : admit(this.#open, this.#limits.maxConnections, this.#limits.healthConnections);
    if (admission === "refuse") {
      this.#refuse(socket);
      return admission;
    }
    this.#open++;
    const key = connectionKey(socket);
    if (admission === "health-only") this.#healthOnly.add(key);
    const timer = setTimeout(() => {
      this.#timedOut.preface++;
      socket.destroy();
    }, this.#limits.prefaceTimeoutMs).unref();
    this.#preface.set(key, timer);
    socket.once("close", () => {
      this.#open--;
      clearTimeout(timer);
      this.#preface.delete(key);
      this.#healthOnly.delete(key);
    });
    return admission;
  }

  /** Ends a connection's preface stage: its protocol started (the HTTP/1.1 server's own timers take over there). */
  started(socket: { readonly remoteAddress?: string | undefined; readonly remotePort?: number | undefined }): void {
    const key = connectionKey(socket);
    clearTimeout(this.#preface.get(key));
    this.#preface.delete(key);
  }

  /** Watches an HTTP/2 session: preface until the client's SETTINGS, idle while no stream is open, and each stream. */
  watchSession(session: Http2Session): void {
    const socket = session.socket;
    session.once("remoteSettings", () => this.started(socket));
    let streams = 0;
    let idle: NodeJS.Timeout | undefined;
    const arm = (): void => {
      idle = setTimeout(() => {
        this.#timedOut.idle_connection++;
        session.close();
      }, this.#limits.idleConnectionMs).unref();
    };
    arm();
    session.on("stream", (stream: ServerHttp2Stream) => {
      streams++;
      clearTimeout(idle);
      this.#watchStream(stream);
      stream.once("close", () => {
        if (--streams === 0 && !session.closed && !session.destroyed) arm();
      });
    });
    session.once("close", () => clearTimeout(idle));
  }

  /** True when a request came on a connection admitted for health checks only and is not one. */
  refusedHere(req: IncomingMessage | Http2ServerRequest): boolean {
    if (this.#healthOnly.size === 0 || (req.url ?? "").startsWith(HEALTH_PATH_PREFIX)) return false;
    return this.#healthOnly.has(connectionKey(req.socket));
  }

  /** Answers a request refused on a health-only connection: gRPC UNAVAILABLE, or HTTP 503; then closes the connection. */
  answerBusy(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void {
    const type = req.headers["content-type"] ?? "";
    const text = "connection limit reached: only health checks are served on this connection";
    const h2 = "stream" in req;
    if (type.startsWith("application/grpc")) {
      res.writeHead(200, { "content-type": type, "grpc-status": "14", "grpc-message": specEncode(encodeURIComponent(text)) });
      res.end();
    } else {
      const body = JSON.stringify({ code: "unavailable", message: text });
      res.writeHead(503, h2 ? { "content-type": "application/json", "retry-after": "1" } : { "content-type": "application/json", "retry-after": "1", connection: "close" });
      res.end(body);
    }
    if (h2) req.stream.session?.close();
  }

  #watchStream(stream: ServerHttp2Stream): void {
    if (stream.endAfterHeaders) return;
    const reset = (stage: TimeoutStage): void => {
      if (requestEnded(stream)) return;
      this.#timedOut[stage]++;
      stream.close(constants.NGHTTP2_CANCEL);
    };
    // No frame for idleStreamMs: reset. Once the request half is over the timer is switched off at its first firing.
    stream.setTimeout(this.#limits.idleStreamMs, () => {
      if (requestEnded(stream)) stream.setTimeout(0);
      else reset("idle_stream");
    });
    const body = setTimeout(() => reset("body"), this.#limits.bodyTimeoutMs).unref();
    stream.once("close", () => clearTimeout(body));
  }

  #refuse(socket: Socket): void {
    this.#refused++;
    socket.destroy();
    const note = this.#bursts.refused(this.#now());
    if (note.start) {
      const l = this.#limits;
      this.#log?.log("warn", "connection limit reached: refusing new connections", { open: this.#open, maxConnections: l.maxConnections, healthConnections: l.healthConnections, previousBurst: note.previousCount });
    }
  }
}

/** `server.limits`: the bounds of a client connection at the listener (timeouts per stage, streams, connections). */
import { join } from "./reader.js";
import type { Reader } from "./reader.js";

/** How long each stage of a client connection may take, and how many connections and streams it may hold. */
export interface EdgeConfig {
  /** From accept to the protocol's first bytes: TLS handshake, HTTP/2 preface and SETTINGS, or an HTTP/1.1 request line. */
  readonly prefaceTimeoutMs: number;
  /** An HTTP/1.1 request's header block, from its first byte. */
  readonly headersTimeoutMs: number;
  /** A request body: HTTP/1.1 from the end of the headers, HTTP/2 from its first DATA frame to END_STREAM. */
  readonly bodyTimeoutMs: number;
  /** A connection with no request (HTTP/1.1 keep-alive) or no open stream (HTTP/2) is closed after this. */
  readonly idleConnectionMs: number;
  /** An HTTP/2 stream that sent headers and no DATA (nor END_STREAM) is reset after this. */
  readonly idleStreamMs: number;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS per connection (more: REFUSED_STREAM). */
  readonly maxConcurrentStreams: number;
  /** Open client connections the listener serves; past it, new ones are refused at once. */
  readonly maxConnections: number;
  /** Connections above `maxConnections` accepted only for health checks (anything else: 503 / UNAVAILABLE and closed). */
  readonly healthConnections: number;
}

/** The defaults: what Envoy-like edges use, sized for a 20,000-fd process. */
export const EDGE_DEFAULTS: EdgeConfig = {
  prefaceTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
  idleConnectionMs: 120_000,
  idleStreamMs: 30_000,
  maxConcurrentStreams: 256,
  maxConnections: 5_000,
  healthConnections: 64,
};

const KEYS = Object.keys(EDGE_DEFAULTS) as (keyof EdgeConfig)[];
const MAX_MS = 3_600_000;

/** Reads `server.limits` (every field optional, defaults above); problems are recorded with their paths. */
export function readEdge(r: Reader, raw: Record<string, unknown>): EdgeConfig {
  const path = join("server", "limits");
  r.known(raw, path, KEYS);
  const ms = (key: keyof EdgeConfig): number => r.number(raw, path, key, { integer: true, min: 1, max: MAX_MS, fallback: EDGE_DEFAULTS[key] });
  return {
    prefaceTimeoutMs: ms("prefaceTimeoutMs"),
    headersTimeoutMs: ms("headersTimeoutMs"),
    bodyTimeoutMs: ms("bodyTimeoutMs"),
    idleConnectionMs: ms("idleConnectionMs"),
    idleStreamMs: ms("idleStreamMs"),
    maxConcurrentStreams: r.number(raw, path, "maxConcurrentStreams", { integer: true, min: 1, max: 65_536, fallback: EDGE_DEFAULTS.maxConcurrentStreams }),
    maxConnections: r.number(raw, path, "maxConnections", { integer: true, min: 1, max: 1_000_000, fallback: EDGE_DEFAULTS.maxConnections }),
    healthConnections: r.number(raw, path, "healthConnections", { integer: true, min: 0, max: 10_000, fallback: EDGE_DEFAULTS.healthConnections }),
  };
}

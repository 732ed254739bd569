/** Raw clients for the listener's limits: sockets that stall at a stage, HTTP/2 streams left open, a timed health check. */
import { connect as h2connect } from "node:http2";
import type { ClientHttp2Session, ClientHttp2Stream, OutgoingHttpHeaders } from "node:http2";
import { connect as netConnect } from "node:net";
import type { Socket } from "node:net";

/** A raw socket and when the server closed it (ms after `since`), or undefined while it is open. */
export interface HeldSocket {
  readonly socket: Socket;
  /** Everything the server sent. */
  readonly received: () => string;
  /** Resolves with the ms from `since` until the server closed the connection. */
  readonly closed: Promise<number>;
}

/** Opens a TCP connection, writes `bytes` (nothing when empty), and records when the server closes it. */
export function hold(port: number, bytes: string | Buffer, since: () => number): Promise<HeldSocket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", () => undefined);
    const closed = new Promise<number>((res) => socket.once("close", () => res(performance.now() - since())));
    socket.once("connect", () => {
      socket.off("error", reject);
      if (bytes.length > 0) socket.write(bytes);
      resolve({ socket, closed, received: () => Buffer.concat(chunks).toString("latin1") });
    });
    socket.once("error", reject);
  });
}

/** Opens an HTTP/2 session and waits for the server's SETTINGS. */
export function session(port: number): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const s = h2connect(`http://127.0.0.1:${port}`);
    s.on("error", () => undefined);
    s.once("remoteSettings", () => resolve(s));
    s.once("close", () => reject(new Error("session closed before SETTINGS")));
  });
}

/** Headers of a plain gRPC call. */
export function grpcHeaders(path: string): OutgoingHttpHeaders {
  return { ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers" };
}

/** A stream's end: the ms from `since` to its close, its RST_STREAM code, and its response headers and trailers. */
export interface StreamEnd {
  readonly ms: number;
  readonly rstCode: number;
  readonly headers: Record<string, unknown>;
  readonly body: Buffer;
}

/** Opens a stream with `headers` and sends `body` (ending the stream only when asked); resolves when it closes. */
export function openStream(s: ClientHttp2Session, headers: OutgoingHttpHeaders, body: Buffer | undefined, end: boolean, since: () => number): { stream: ClientHttp2Stream; done: Promise<StreamEnd> } {
  const stream = s.request(headers, { endStream: end && body === undefined });
  stream.on("error", () => undefined);
  const seen: Record<string, unknown> = {};
  const chunks: Buffer[] = [];
  stream.on("response", (h) => Object.assign(seen, h));
  stream.on("trailers", (h) => Object.assign(seen, h));
  stream.on("data", (c: Buffer) => chunks.push(c));
  if (body !== undefined) {
    if (end) stream.end(body);
    else stream.write(body);
  }
  const done = new Promise<StreamEnd>((resolve) => stream.once("close", () => resolve({ ms: performance.now() - since(), rstCode: stream.rstCode ?? 0, headers: seen, body: Buffer.concat(chunks) })));
  return { stream, done };
}

/** An empty gRPC message (the request of a health Check for the server as a whole). */
export const EMPTY_MESSAGE = Buffer.from([0, 0, 0, 0, 0]);

/** A health Check on a new connection: the ms it took (connection included) and whether it answered SERVING. */
export async function timedHealthCheck(port: number): Promise<{ ms: number; serving: boolean }> {
  const t0 = performance.now();
  const s = await session(port);
  try {
    const end = await openStream(s, grpcHeaders("/grpc.health.v1.Health/Check"), EMPTY_MESSAGE, true, () => t0).done;
    // SERVING is field 1 = 1: bytes 08 01 after the 5-byte envelope prefix.
    const serving = end.headers["grpc-status"] === "0" && end.body.subarray(5).equals(Buffer.from([0x08, 0x01]));
    return { ms: end.ms, serving };
  } finally {
    s.destroy();
  }
}

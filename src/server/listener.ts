/** One TCP port for cleartext HTTP/2 (gRPC, Connect) and HTTP/1.1 (Connect, gRPC-Web). */
import { createServer as createH1 } from "node:http";
import type { IncomingMessage, Server as H1Server, ServerResponse } from "node:http";
import { createServer as createH2 } from "node:http2";
import type { Http2Server, Http2ServerRequest, Http2ServerResponse, Http2Session } from "node:http2";
import { createServer as createNet } from "node:net";
import type { Server as NetServer, Socket } from "node:net";
import type { EdgeGuard } from "./edge-guard.js";

/** A request handler both HTTP versions can call. */
export type UniversalHandler = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => void;

/** The HTTP/2 connection preface starts with these bytes. */
const PREFACE = Buffer.from("PRI");

/** A listener that sniffs the protocol of each connection and hands it to the right server. */
export class DualListener {
  readonly #net: NetServer;
  readonly #h1: H1Server;
  readonly #h2: Http2Server;
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new Set<Http2Session>();
  readonly #guard: EdgeGuard;

  constructor(handler: UniversalHandler, guard: EdgeGuard) {
    this.#guard = guard;
    this.#h1 = createH1(guard.h1Options, handler);
    // The HTTP/1.1 server never listens (it is handed sockets), so its headers and request timeouts would never
    // be checked: its 'listening' handler is what starts Node's own connection checker.
    this.#h1.emit("listening");
    this.#h2 = createH2({ maxSessionMemory: 64, settings: guard.h2Settings }, handler);
    this.#h2.on("session", (s: Http2Session) => {
      this.#sessions.add(s);
      guard.watchSession(s);
      s.on("close", () => this.#sessions.delete(s));
    });
    this.#net = createNet({ noDelay: true, pauseOnConnect: false }, (socket) => this.#accept(socket));
  }

  /** Starts listening; resolves with the bound port. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#net.once("error", reject);
      this.#net.listen(port, host, () => {
        this.#net.off("error", reject);
        resolve((this.#net.address() as { port: number }).port);
      });
    });
  }

  /** Stops accepting connections and asks open ones to finish: GOAWAY for HTTP/2, close-after-response for HTTP/1. */
  stopAccepting(): void {
    this.#net.close();
    for (const s of this.#sessions) if (!s.closed) s.close();
    this.#h1.close();
    this.#h1.closeIdleConnections();
  }

  /** Destroys every connection still open. */
  destroyAll(): void {
    for (const s of this.#sessions) s.destroy();
    for (const s of this.#sockets) s.destroy();
  }

  /** Number of connections still open. */
  get connections(): number {
    return this.#sockets.size;
  }

  #accept(socket: Socket): void {
    if (this.#guard.accept(socket) === "refuse") return;
    this.#sockets.add(socket);
    socket.on("close", () => this.#sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      if (head.length < PREFACE.length && PREFACE.subarray(0, head.length).equals(head)) return;
      socket.off("data", onData);
      socket.pause();
      socket.unshift(head);
      if (head.subarray(0, PREFACE.length).equals(PREFACE)) {
        // http2 drains what is buffered on the socket into its session itself; resuming would lose it.
        this.#h2.emit("connection", socket);
      } else {
        this.#guard.started(socket);
        this.#h1.emit("connection", socket);
        socket.resume();
      }
    };
    socket.on("data", onData);
  }
}

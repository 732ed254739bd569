/** One TLS port: ALPN picks HTTP/2 (gRPC, Connect) or HTTP/1.1 (Connect, gRPC-Web) per connection. */
import { readFileSync } from "node:fs";
import { createSecureServer } from "node:http2";
import type { Http2SecureServer, Http2Session } from "node:http2";
import type { Socket } from "node:net";
import type { TlsConfig } from "../config/auth.js";
import type { EdgeGuard } from "./edge-guard.js";
import type { UniversalHandler } from "./listener.js";

/** A TLS listener with the same life cycle as the cleartext DualListener. */
export class TlsListener {
  readonly #server: Http2SecureServer;
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new Set<Http2Session>();

  constructor(handler: UniversalHandler, tls: TlsConfig, guard: EdgeGuard, handshakeTimeout: number) {
    const options = { allowHTTP1: true, cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile), maxSessionMemory: 64, settings: guard.h2Settings, handshakeTimeout };
    this.#server = createSecureServer(options, handler);
    // HTTP/1.1 over TLS is served by Node's HTTP/1.1 code with the server's own fields as its options.
    Object.assign(this.#server, guard.h1Options);
    // Admission before the handshake: a refused connection costs no TLS work. Registered before Node's own listener.
    this.#server.prependListener("connection", (socket: Socket) => {
      guard.accept(socket);
    });
    this.#server.on("session", (s: Http2Session) => {
      this.#sessions.add(s);
      guard.watchSession(s);
      s.on("close", () => this.#sessions.delete(s));
    });
    this.#server.on("secureConnection", (socket: Socket & { alpnProtocol?: string | false }) => {
      if (socket.alpnProtocol !== "h2") guard.started(socket);
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
  }

  /** Starts listening; resolves with the bound port. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        resolve((this.#server.address() as { port: number }).port);
      });
    });
  }

  /** Stops accepting and sends GOAWAY on HTTP/2 sessions. */
  stopAccepting(): void {
    this.#server.close();
    for (const s of this.#sessions) if (!s.closed) s.close();
  }

  /** Destroys every connection still open. */
  destroyAll(): void {
    for (const s of this.#sessions) s.destroy();
    for (const s of this.#sockets) s.destroy();
  }
}

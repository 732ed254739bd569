/** One TLS port: ALPN picks HTTP/2 (gRPC, Connect) or HTTP/1.1 (Connect, gRPC-Web) per connection. */
import { readFileSync } from "node:fs";
import { createSecureServer } from "node:http2";
import type { Http2SecureServer, Http2Session } from "node:http2";
import type { Socket } from "node:net";
import type { TlsConfig } from "../config/auth.js";
import type { UniversalHandler } from "./listener.js";

/** A TLS listener with the same life cycle as the cleartext DualListener. */
export class TlsListener {
  readonly #server: Http2SecureServer;
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new Set<Http2Session>();

  constructor(handler: UniversalHandler, tls: TlsConfig) {
    this.#server = createSecureServer({ allowHTTP1: true, cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile), maxSessionMemory: 64 }, handler);
    this.#server.on("session", (s: Http2Session) => {
      this.#sessions.add(s);
      s.on("close", () => this.#sessions.delete(s));
    });
    this.#server.on("secureConnection", (socket: Socket) => {
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

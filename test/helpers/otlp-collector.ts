/** A loopback OTLP/HTTP receiver for tests: keeps every body it is sent, with its path. */
import { createServer } from "node:http";

/** A running receiver. */
export interface Collector {
  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly url: string;
  /** Every request received, in order. */
  readonly bodies: Array<{ path: string; body: string }>;
  close(): void;
}

/** Starts a receiver on a free loopback port. */
export async function startCollector(): Promise<Collector> {
  const bodies: Array<{ path: string; body: string }> = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      bodies.push({ path: req.url ?? "", body });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, bodies, close: () => server.close() };
}

/**
 * A discarding OTLP/HTTP collector for the benchmark: accepts traces, metrics and logs, answers 200 with an
 * empty body (a valid empty Export*ServiceResponse) and counts what arrived. GET /stats returns the counts.
 * Run: node dist/bench/otlp-sink.js [--port=0]
 */
import { createServer } from "node:http";

const stats = { requests: 0, bytes: 0, traces: 0, metrics: 0, logs: 0 };

const server = createServer({ keepAliveTimeout: 120_000 }, (req, res) => {
  if (req.method === "GET" && req.url === "/stats") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(stats));
    return;
  }
  req.on("data", (c: Buffer) => {
    stats.bytes += c.length;
  });
  req.on("end", () => {
    stats.requests++;
    if (req.url?.includes("/traces")) stats.traces++;
    else if (req.url?.includes("/metrics")) stats.metrics++;
    else if (req.url?.includes("/logs")) stats.logs++;
    const json = (req.headers["content-type"] ?? "").includes("json");
    res.writeHead(200, { "content-type": json ? "application/json" : "application/x-protobuf" });
    res.end(json ? "{}" : "");
  });
});

const portArg = process.argv.find((a) => a.startsWith("--port="));
server.listen(portArg ? Number(portArg.slice(7)) : 0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ ready: true, port: (server.address() as { port: number }).port })}\n`);
});
const stop = (): void => {
  server.closeAllConnections();
  server.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

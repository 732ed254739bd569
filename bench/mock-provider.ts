/**
 * The benchmark's upstream: a minimal OpenAI-compatible Chat Completions server with zero latency, run in
 * its own process. Answers are prebuilt bytes, so the mock spends as little CPU as possible and the
 * measurement is the gateway's. Streams of "bench" come in one piece; "bench-ttft" sends its first token at
 * once and the rest 2 ms later, as a model streams (time to first token measures the first token's path,
 * not the processing of the whole answer); "bench-hold" sends one chunk every --hold-ms to keep streams
 * open. GET /stats returns what it served.
 * Run: node dist/bench/mock-provider.js [--port=0] [--hold-ms=500] [--hold-chunks=20]
 */
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** Words of every answer: twelve output tokens. */
const WORDS = ["The", " gateway", " answers", " from", " a", " simulated", " model", " with", " exact", " usage", " and", " cost"];
const TEXT = WORDS.join("");
/** Prompt tokens the mock reports (the bench prompt is short and fixed). */
const PROMPT_TOKENS = 8;

function arg(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : Number(hit.slice(name.length + 3));
}

const usage = { prompt_tokens: PROMPT_TOKENS, completion_tokens: WORDS.length, total_tokens: PROMPT_TOKENS + WORDS.length };

function unaryBody(model: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: "chatcmpl-bench",
      object: "chat.completion",
      created: 0,
      model,
      choices: [{ index: 0, message: { role: "assistant", content: TEXT }, finish_reason: "stop" }],
      usage,
    }),
  );
}

function sse(model: string, delta: Record<string, unknown>, finish: string | null): string {
  return `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

interface StreamParts {
  readonly head: Buffer;
  readonly chunks: readonly Buffer[];
  readonly tail: Buffer;
}

function streamParts(model: string, words: readonly string[]): StreamParts {
  const tail =
    sse(model, {}, "stop") +
    `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 0, model, choices: [], usage: { ...usage, completion_tokens: words.length } })}\n\n` +
    "data: [DONE]\n\n";
  return { head: Buffer.from(sse(model, { role: "assistant", content: "" }, null)), chunks: words.map((w) => Buffer.from(sse(model, { content: w }, null))), tail: Buffer.from(tail) };
}

const holdMs = arg("hold-ms", 500);
const holdChunks = arg("hold-chunks", 20);
const stats = { requests: 0, unary: 0, streams: 0, openStreams: 0, maxOpenStreams: 0, badRequests: 0 };
const unaryCache = new Map<string, Buffer>();
const streamCache = new Map<string, { parts: StreamParts; whole: Buffer }>();

function cachedUnary(model: string): Buffer {
  let body = unaryCache.get(model);
  if (!body) unaryCache.set(model, (body = unaryBody(model)));
  return body;
}

function cachedStream(model: string): { parts: StreamParts; whole: Buffer } {
  let s = streamCache.get(model);
  if (!s) {
    const words = model === "bench-hold" ? Array.from({ length: holdChunks }, (_, i) => WORDS[i % WORDS.length] ?? " x") : WORDS;
    const parts = streamParts(model, words);
    streamCache.set(model, (s = { parts, whole: Buffer.concat([parts.head, ...parts.chunks, parts.tail]) }));
  }
  return s;
}

function holdStream(res: ServerResponse, parts: StreamParts): void {
  stats.openStreams++;
  stats.maxOpenStreams = Math.max(stats.maxOpenStreams, stats.openStreams);
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.write(Buffer.concat([parts.head, parts.chunks[0] ?? Buffer.alloc(0)]));
  let i = 1;
  const timer = setInterval(() => {
    if (i < parts.chunks.length) {
      res.write(parts.chunks[i++] ?? Buffer.alloc(0));
      return;
    }
    clearInterval(timer);
    res.end(parts.tail);
  }, holdMs);
  res.once("close", () => {
    clearInterval(timer);
    stats.openStreams--;
  });
}

/** First token now, the rest `gapMs` later. */
function gapStream(res: ServerResponse, parts: StreamParts, gapMs: number): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.write(Buffer.concat([parts.head, parts.chunks[0] ?? Buffer.alloc(0)]));
  const timer = setTimeout(() => res.end(Buffer.concat([...parts.chunks.slice(1), parts.tail])), gapMs);
  res.once("close", () => clearTimeout(timer));
}

function answer(req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
  stats.requests++;
  let body: { model?: unknown; stream?: unknown };
  try {
    body = JSON.parse(raw.toString("utf8")) as { model?: unknown; stream?: unknown };
  } catch {
    body = {};
  }
  if (req.url?.endsWith("/chat/completions") !== true || typeof body.model !== "string") {
    stats.badRequests++;
    res.writeHead(400, { "content-type": "application/json" });
    res.end('{"error":{"message":"bad request","type":"invalid_request_error","param":null,"code":null}}');
    return;
  }
  if (body.stream !== true) {
    stats.unary++;
    const out = cachedUnary(body.model);
    res.writeHead(200, { "content-type": "application/json", "content-length": out.length });
    res.end(out);
    return;
  }
  stats.streams++;
  const s = cachedStream(body.model);
  if (body.model === "bench-hold") return holdStream(res, s.parts);
  if (body.model === "bench-ttft") return gapStream(res, s.parts, 2);
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "content-length": s.whole.length });
  res.end(s.whole);
}

const sockets = new Set<Socket>();
const server = createServer({ keepAliveTimeout: 120_000 }, (req, res) => {
  if (req.method === "GET" && req.url === "/stats") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(stats));
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => answer(req, res, chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks)));
});
server.maxHeadersCount = 64;
server.on("connection", (s: Socket) => {
  sockets.add(s);
  s.setNoDelay(true);
  s.on("close", () => sockets.delete(s));
});
server.listen(arg("port", 0), "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ ready: true, port: (server.address() as { port: number }).port })}\n`);
});
const stop = (): void => {
  server.close();
  for (const s of sockets) s.destroy();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

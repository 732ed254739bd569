/** A small HTTP/1.1 keep-alive client for OpenAI Chat Completions: one checked call, and timed streamed calls. */
import { request } from "node:http";
import type { Agent } from "node:http";

/** Where a Chat Completions endpoint is and what every call to it carries. */
export interface ChatTarget {
  readonly port: number;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** One timed streamed call, ms from sending the request: first body byte, first content token, the end. */
export interface SseTiming {
  readonly firstByteMs: number;
  readonly firstTokenMs: number;
  readonly totalMs: number;
  readonly status: number;
}

/** A content delta with at least one character ("content":"" of the role chunk does not count). */
const TOKEN = /"delta":\{[^}]*"content":"[^"]/;

/** POSTs `body` once; resolves with the status and the body text. */
export function chatOnce(agent: Agent, t: ChatTarget, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: "127.0.0.1", port: t.port, method: "POST", path: t.path, headers: { ...t.headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error("chat call timed out")));
    req.on("error", reject);
    req.end(body);
  });
}

/** One streamed call (`"stream": true` in `body`), timed; a call with no content token has firstTokenMs -1. */
export function timedStream(agent: Agent, t: ChatTarget, body: string): Promise<SseTiming> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let firstByte = -1;
    let firstToken = -1;
    let seen = "";
    const req = request(
      { agent, host: "127.0.0.1", port: t.port, method: "POST", path: t.path, headers: { ...t.headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (res) => {
        res.on("data", (chunk: Buffer) => {
          if (firstByte < 0) firstByte = performance.now() - t0;
          if (firstToken >= 0) return;
          // Chunks may split an event: look at what came since the last complete line as well.
          seen += chunk.toString("utf8");
          if (TOKEN.test(seen)) firstToken = performance.now() - t0;
          else seen = seen.slice(Math.max(0, seen.lastIndexOf("\n")));
        });
        res.on("end", () => resolve({ firstByteMs: firstByte, firstTokenMs: firstToken, totalMs: performance.now() - t0, status: res.statusCode ?? 0 }));
        res.on("error", reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error("streamed call timed out")));
    req.on("error", reject);
    req.end(body);
  });
}

/** Runs `count` streamed calls one after another over `agent` (concurrency 1). */
export async function sequentialStreams(agent: Agent, t: ChatTarget, body: string, count: number): Promise<SseTiming[]> {
  const out: SseTiming[] = [];
  for (let i = 0; i < count; i++) out.push(await timedStream(agent, t, body));
  return out;
}

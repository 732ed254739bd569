/** A small Node client for streaming: time to first token over gRPC, Connect and direct SSE, and many open streams. */
import { fromBinary } from "@bufbuild/protobuf";
import { Agent, request as h1request } from "node:http";
import { connect } from "node:http2";
import type { ClientHttp2Session } from "node:http2";
import { CompleteResponseSchema, StreamCompleteResponseSchema } from "../gen/llmgateway/v1/gateway_pb.js";
import { EnvelopeReader } from "./payloads.js";
import { BENCH_KEY } from "./procs.js";

const AUTH = `Bearer ${BENCH_KEY}`;

/** One finished streaming call: time to first token and to the end, ms; the gRPC status ("0" is OK). */
export interface StreamTiming {
  readonly ttftMs: number;
  readonly totalMs: number;
  readonly status: string;
}

/** Opens an HTTP/2 session with prior knowledge. */
export function h2session(port: number): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const s = connect(`http://127.0.0.1:${port}`);
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}

const now = (): number => performance.now();

/** One gRPC StreamComplete call: resolves when the first delta arrives (`onFirst`) and when trailers end it. */
export function grpcStream(session: ClientHttp2Session, frame: Buffer, onFirst?: () => void): Promise<StreamTiming> {
  return new Promise((resolve, reject) => {
    const t0 = now();
    let ttft = -1;
    let status = "";
    const reader = new EnvelopeReader();
    const req = session.request({ ":method": "POST", ":path": "/llmgateway.v1.GatewayService/StreamComplete", "content-type": "application/grpc", te: "trailers", authorization: AUTH });
    req.on("response", (h) => {
      if (h["grpc-status"] !== undefined) status = String(h["grpc-status"]);
    });
    req.on("trailers", (t) => {
      status = String(t["grpc-status"] ?? "");
    });
    req.on("data", (chunk: Buffer) => {
      if (ttft >= 0) return;
      for (const env of reader.push(chunk)) {
        if (fromBinary(StreamCompleteResponseSchema, env.payload).event.case === "delta" && ttft < 0) {
          ttft = now() - t0;
          onFirst?.();
        }
      }
    });
    req.on("error", reject);
    req.on("close", () => resolve({ ttftMs: ttft, totalMs: now() - t0, status }));
    req.end(frame);
  });
}

/** One gRPC Complete call; resolves with the status and the response text (for correctness checks). */
export function grpcUnary(session: ClientHttp2Session, frame: Buffer): Promise<{ status: string; text: string; message: string }> {
  return new Promise((resolve, reject) => {
    let status = "";
    let message = "";
    let text = "";
    const reader = new EnvelopeReader();
    const req = session.request({ ":method": "POST", ":path": "/llmgateway.v1.GatewayService/Complete", "content-type": "application/grpc", te: "trailers", authorization: AUTH });
    const take = (h: Record<string, unknown>): void => {
      if (h["grpc-status"] !== undefined) status = String(h["grpc-status"]);
      if (h["grpc-message"] !== undefined) message = String(h["grpc-message"]);
    };
    req.on("response", take);
    req.on("trailers", take);
    req.on("data", (chunk: Buffer) => {
      for (const env of reader.push(chunk)) text = fromBinary(CompleteResponseSchema, env.payload).text;
    });
    req.on("error", reject);
    req.on("close", () => resolve({ status, text, message }));
    req.end(frame);
  });
}

/** One Connect server-streaming call over HTTP/1.1 (enveloped JSON); the end-of-stream message carries errors. */
export function connectStream(agent: Agent, port: number, frame: Buffer): Promise<StreamTiming> {
  return new Promise((resolve, reject) => {
    const t0 = now();
    let ttft = -1;
    let status = "?";
    const reader = new EnvelopeReader();
    const req = h1request(
      { agent, host: "127.0.0.1", port, method: "POST", path: "/llmgateway.v1.GatewayService/StreamComplete", headers: { "content-type": "application/connect+json", "content-length": frame.length, authorization: AUTH } },
      (res) => {
        res.on("data", (chunk: Buffer) => {
          for (const env of reader.push(chunk)) {
            if ((env.flags & 2) !== 0) {
              status = env.payload.includes('"error"') ? "error" : "0";
            } else if (ttft < 0 && env.payload.includes('"delta"')) ttft = now() - t0;
          }
        });
        res.on("end", () => resolve({ ttftMs: ttft, totalMs: now() - t0, status }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(frame);
  });
}

/** A direct streamed call to the mock (OpenAI SSE over HTTP/1.1): the baseline's time to first token. */
export function directStream(agent: Agent, port: number, body: string): Promise<StreamTiming> {
  return new Promise((resolve, reject) => {
    const t0 = now();
    let ttft = -1;
    const req = h1request(
      { agent, host: "127.0.0.1", port, method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (res) => {
        res.on("data", (chunk: Buffer) => {
          if (ttft < 0 && chunk.includes('"delta":{"content"')) ttft = now() - t0;
        });
        res.on("end", () => resolve({ ttftMs: ttft, totalMs: now() - t0, status: res.statusCode === 200 ? "0" : String(res.statusCode) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** A keep-alive HTTP/1.1 agent with `sockets` connections. */
export function keepAliveAgent(sockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: sockets });
}

/** Runs `count` calls one after another; returns their timings. */
export async function sequential(count: number, call: () => Promise<StreamTiming>): Promise<StreamTiming[]> {
  const out: StreamTiming[] = [];
  for (let i = 0; i < count; i++) out.push(await call());
  return out;
}

/** What holding many streams open found. */
export interface OpenStreamsResult {
  /** Streams that received their first delta before `whenOpen` ran. */
  readonly opened: number;
  /** Streams that ended with grpc-status 0. */
  readonly ok: number;
  /** The value `whenOpen` returned. */
  readonly measured: number;
}

/**
 * Opens `count` gRPC streams over `sessions` connections, waits until every one has its first delta (or
 * `openTimeoutMs` passes), calls `whenOpen` (to sample memory) while all are still open, then waits for
 * them to end on their own.
 */
export async function holdStreams(port: number, frame: Buffer, count: number, sessions: number, openTimeoutMs: number, whenOpen: () => number): Promise<OpenStreamsResult> {
  const conns = await Promise.all(Array.from({ length: sessions }, () => h2session(port)));
  let opened = 0;
  let measured = Number.NaN;
  let allOpen: () => void = () => undefined;
  const open = new Promise<void>((resolve) => {
    allOpen = resolve;
  });
  const calls = Array.from({ length: count }, (_, i) =>
    grpcStream(conns[i % sessions] as ClientHttp2Session, frame, () => {
      if (++opened === count) allOpen();
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([open, new Promise<void>((resolve) => (timer = setTimeout(resolve, openTimeoutMs)))]);
  clearTimeout(timer);
  const openedAtSample = opened;
  measured = whenOpen();
  const done = await Promise.all(calls);
  for (const c of conns) c.close();
  return { opened: openedAtSample, ok: done.filter((d) => d.status === "0").length, measured };
}

/** The lean gRPC path: framing edge cases, status trailers, deadlines, cancellation and drain, byte by byte over HTTP/2. */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Code, createClient } from "@connectrpc/connect";
import { connect as h2connect } from "node:http2";
import type { ClientHttp2Session, IncomingHttpHeaders } from "node:http2";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CompleteRequestSchema, CompleteResponseSchema, GatewayService, StreamCompleteRequestSchema, StreamCompleteResponseSchema } from "../../gen/llmgateway/v1/gateway_pb.js";
import { AttemptFailuresSchema, Role } from "../../gen/llmgateway/v1/types_pb.js";
import { rejection } from "../helpers/expect-error.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

let h: Harness;
let session: ClientHttp2Session;

beforeAll(async () => {
  h = await startHarness({
    endpoints: { sim: { kind: "openai" }, slow: { kind: "openai", profile: { latencyMs: 2000 } }, drip: { kind: "openai", profile: { chunkDelayMs: 40 } }, down: { kind: "openai", profile: { down: true } } },
    config: {
      models: {
        m1: { provider: "sim", pricing: { inputPerMTok: 1, outputPerMTok: 2 } },
        slow: { provider: "slow", pricing: { inputPerMTok: 1, outputPerMTok: 2 } },
        drip: { provider: "drip", pricing: { inputPerMTok: 1, outputPerMTok: 2 } },
        dead: { provider: "down", pricing: { inputPerMTok: 1, outputPerMTok: 2 } },
      },
      failover: { maxAttempts: 1 },
      server: { maxRequestBytes: 1024 },
    },
  });
  session = h2connect(`http://${h.address}`);
});
afterAll(async () => {
  session.close();
  await h.close();
});

const COMPLETE = "/llmgateway.v1.GatewayService/Complete";
const STREAM = "/llmgateway.v1.GatewayService/StreamComplete";
const ask = (model: string) => create(CompleteRequestSchema, { model, messages: [{ role: Role.USER, content: "Hello: how are you?" }] });

function frame(payload: Uint8Array, flags = 0): Buffer {
  const out = Buffer.alloc(5 + payload.length);
  out[0] = flags;
  out.writeUInt32BE(payload.length, 1);
  out.set(payload, 5);
  return out;
}

interface Reply {
  headers: IncomingHttpHeaders;
  trailers: IncomingHttpHeaders;
  /** Status and message from trailers, or from headers for a trailers-only answer. */
  status: string | undefined;
  message: string | undefined;
  messages: Buffer[];
}

/** One raw gRPC call: writes `parts` one by one (a tick apart when `drip`), reads frames and trailers. */
function call(path: string, parts: readonly Buffer[], extra: Record<string, string> = {}, drip = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", ...extra });
    const reply: Reply = { headers: {}, trailers: {}, status: undefined, message: undefined, messages: [] };
    let buf = Buffer.alloc(0);
    stream.on("response", (hd) => (reply.headers = hd));
    stream.on("trailers", (t) => (reply.trailers = t));
    stream.on("data", (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 5 && buf.length >= 5 + buf.readUInt32BE(1)) {
        reply.messages.push(buf.subarray(5, 5 + buf.readUInt32BE(1)));
        buf = buf.subarray(5 + buf.readUInt32BE(1));
      }
    });
    stream.on("error", reject);
    stream.on("close", () => {
      const from = reply.trailers["grpc-status"] !== undefined ? reply.trailers : reply.headers;
      reply.status = from["grpc-status"] as string | undefined;
      reply.message = from["grpc-message"] as string | undefined;
      resolve(reply);
    });
    void (async () => {
      for (const p of parts) {
        stream.write(p);
        if (drip) await new Promise((r) => setTimeout(r, 2));
      }
      stream.end();
    })();
  });
}

describe("gRPC fast path framing", () => {
  it("answers one framed message with status 0 in trailers, even when the request arrives a byte at a time", async () => {
    const body = frame(toBinary(CompleteRequestSchema, ask("m1")));
    for (const parts of [[body], [...body].map((b) => Buffer.from([b]))]) {
      const r = await call(COMPLETE, parts, {}, parts.length > 1);
      expect(r.headers[":status"]).toBe(200);
      expect(r.headers["content-type"]).toBe("application/grpc");
      expect(r.status).toBe("0");
      expect(r.messages).toHaveLength(1);
      expect(fromBinary(CompleteResponseSchema, r.messages[0] ?? Buffer.alloc(0)).text).toContain("gateway answers");
    }
  });

  it("streams deltas then a summary, each in its own frame", async () => {
    const r = await call(STREAM, [frame(toBinary(StreamCompleteRequestSchema, create(StreamCompleteRequestSchema, { request: ask("m1") })))]);
    expect(r.status).toBe("0");
    const events = r.messages.map((m) => fromBinary(StreamCompleteResponseSchema, m).event.case);
    expect(events.slice(0, -1).every((e) => e === "delta")).toBe(true);
    expect(events.at(-1)).toBe("summary");
  });

  it.each([
    ["no message", [] as Buffer[], "12", "missing input message"],
    ["two messages", [frame(toBinary(CompleteRequestSchema, ask("m1"))), frame(toBinary(CompleteRequestSchema, ask("m1")))], "12", "extra input message"],
    ["a cut envelope", [frame(toBinary(CompleteRequestSchema, ask("m1"))).subarray(0, 12)], "3", "incomplete envelope"],
    ["a cut prefix", [Buffer.from([0, 0, 0])], "3", "incomplete envelope"],
    ["a compressed flag without an encoding", [frame(toBinary(CompleteRequestSchema, ask("m1")), 1)], "13", "do not know how to decompress"],
    ["bytes that are not protobuf", [frame(Buffer.from([0xff, 0xff, 0xff, 0xff]))], "13", "parse binary"],
  ])("answers %s with a status", async (_name, parts, status, text) => {
    const r = await call(COMPLETE, parts);
    expect(r.status).toBe(status);
    expect(decodeURIComponent(r.message ?? "")).toContain(text);
  });

  it("refuses a message over the limit from its prefix alone, without waiting for the body", async () => {
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(1_000_000, 1);
    const stream = session.request({ ":method": "POST", ":path": COMPLETE, "content-type": "application/grpc", te: "trailers" });
    stream.write(prefix); // the body never comes; the answer must not wait for it
    const trailers = await new Promise<IncomingHttpHeaders>((resolve) => stream.on("trailers", resolve));
    stream.close();
    expect(trailers["grpc-status"]).toBe("8");
    expect(trailers["grpc-message"]).toContain("larger than configured readMaxBytes 1024");
  });

  it("refuses a body that runs past one message (a flood after a valid message)", async () => {
    const r = await call(COMPLETE, [frame(toBinary(CompleteRequestSchema, ask("m1"))), Buffer.alloc(4096)]);
    expect(r.status).toBe("12");
  });
});

describe("gRPC fast path statuses", () => {
  it("spec-encodes grpc-message (':' stays readable, non-ASCII is percent-encoded) and sends typed details", async () => {
    const unknown = await call(COMPLETE, [frame(toBinary(CompleteRequestSchema, ask("mödel")))]);
    expect(unknown.status).toBe("5");
    expect(unknown.message).toContain('unknown model or route "m%C3%B6del"; models: m1, slow');
    const r = await call(COMPLETE, [frame(toBinary(CompleteRequestSchema, ask("dead")))]);
    expect(r.status).toBe("14");
    expect(r.trailers["grpc-status-details-bin"]).toBeDefined();
    const err = await rejection(h.grpc.complete(ask("dead")));
    expect(err.code).toBe(Code.Unavailable);
    expect(err.findDetails(AttemptFailuresSchema)[0]?.attempts).toHaveLength(1);
  });

  it("rejects an invalid grpc-timeout and ends a call at its deadline", async () => {
    const body = [frame(toBinary(CompleteRequestSchema, ask("slow")))];
    expect((await call(COMPLETE, body, { "grpc-timeout": "soon" })).status).toBe("3");
    const started = Date.now();
    const r = await call(COMPLETE, body, { "grpc-timeout": "200m" });
    // The status the core gives at its deadline races three timers (the server's deadline signal, the request
    // deadline, the attempt timeout), on connect-node as here; what the fast path guarantees is the end on time.
    expect(["1", "4", "14"]).toContain(r.status);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("leaves gzip-compressed gRPC to connect-node, which still answers it", async () => {
    const r = await call(COMPLETE, [frame(gzipSync(toBinary(CompleteRequestSchema, ask("m1"))), 1)], { "grpc-encoding": "gzip" });
    expect(r.status).toBe("0");
    expect(r.messages).toHaveLength(1);
  });
});

describe("gRPC fast path lifecycle", () => {
  it("closes the upstream request when the client cancels a stream, and counts the call out of flight", async () => {
    const before = h.sim.tally("drip").clientClosed;
    const stream = session.request({ ":method": "POST", ":path": STREAM, "content-type": "application/grpc", te: "trailers" });
    stream.end(frame(toBinary(StreamCompleteRequestSchema, create(StreamCompleteRequestSchema, { request: ask("drip") }))));
    await new Promise((resolve) => stream.once("data", resolve));
    expect(h.app.server.inFlight).toBe(1);
    stream.close(0x8); // RST_STREAM CANCEL
    await expect.poll(() => h.sim.tally("drip").clientClosed, { timeout: 2000 }).toBe(before + 1);
    await expect.poll(() => h.app.server.inFlight, { timeout: 2000 }).toBe(0);
  });

  it("answers like connect-node: the same fields through both paths", async () => {
    const plain = await call(COMPLETE, [frame(toBinary(CompleteRequestSchema, ask("m1")))]);
    const viaConnect = await call(COMPLETE, [frame(gzipSync(toBinary(CompleteRequestSchema, ask("m1"))), 1)], { "grpc-encoding": "gzip" });
    const [a, b] = [plain, viaConnect].map((r) => fromBinary(CompleteResponseSchema, r.messages[0] ?? Buffer.alloc(0)));
    for (const field of ["text", "finishReason", "model", "provider", "upstreamModel", "route"] as const) expect(a?.[field]).toEqual(b?.[field]);
    expect(a?.usage).toEqual(b?.usage);
    expect(a?.cost).toEqual(b?.cost);
    const client = createClient(GatewayService, createGrpcTransport({ baseUrl: `http://${h.address}` }));
    expect((await client.complete(ask("m1"))).text).toBe(a?.text);
  });
});

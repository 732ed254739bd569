/**
 * The lean Connect unary path answers byte for byte what connect-node answers: the same requests go to a
 * server that only has the fast path (anything it declines gets 599) and to connect-node with the same
 * service and interceptors, over HTTP/1.1 and HTTP/2.
 */
import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextKey } from "@connectrpc/connect";
import type { Interceptor, ServiceImpl } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { createServer, request } from "node:http";
import type { Server } from "node:http";
import { connect as h2connect, createServer as createH2 } from "node:http2";
import type { Http2Server } from "node:http2";
import type { AddressInfo } from "node:net";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CompleteResponseSchema, GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";
import { AttemptFailuresSchema } from "../../gen/llmgateway/v1/types_pb.js";
import { createLeanPaths } from "../../src/server/lean/lean-paths.js";

const MAX = 2048;
const who = createContextKey<string>("nobody");

/** Refuses a request whose x-deny header is set; otherwise passes who the caller is to the handler. */
const interceptor: Interceptor = (next) => async (req) => {
  if (req.header.get("x-deny") !== null) throw new ConnectError("denied by interceptor", Code.PermissionDenied, { "x-why": "test" });
  req.contextValues.set(who, req.header.get("x-who") ?? "nobody");
  return next(req);
};

const service: Partial<ServiceImpl<typeof GatewayService>> = {
  async complete(req, ctx) {
    if (req.model === "fail") {
      const detail = create(AttemptFailuresSchema, { attempts: [{ model: "a", reason: "upstream said no" }] });
      throw new ConnectError("all attempts failed", Code.Unavailable, { "x-meta": "1" }, [{ desc: AttemptFailuresSchema, value: detail }]);
    }
    if (req.model === "crash") throw new Error("secret internal detail");
    if (req.model === "slow") await new Promise((resolve) => setTimeout(resolve, 300));
    ctx.responseHeader.set("x-served", "yes");
    ctx.responseTrailer.set("x-cost", "42");
    const init: MessageInitShape<typeof CompleteResponseSchema> = { requestId: ctx.values.get(who), model: req.model, text: req.model === "big" ? "word ".repeat(600) : "hi" };
    return create(CompleteResponseSchema, init);
  },
};

let fast: Server;
let slow: Server;
let fastH2: Http2Server;
let slowH2: Http2Server;

async function listen<T extends Server | Http2Server>(server: T): Promise<T> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}
const port = (s: Server | Http2Server): number => (s.address() as AddressInfo).port;

beforeAll(async () => {
  const path = createLeanPaths({ service: GatewayService, impl: service, interceptors: [interceptor], maxRequestBytes: MAX }, { grpc: false });
  const onlyFast = (req: Parameters<typeof path>[0], res: Parameters<typeof path>[1]): void => {
    if (!path(req, res)) {
      res.writeHead(599);
      res.end();
    }
  };
  const adapter = connectNodeAdapter({ routes: (r) => r.service(GatewayService, service), readMaxBytes: MAX, interceptors: [interceptor] });
  fast = await listen(createServer(onlyFast));
  slow = await listen(createServer(adapter));
  fastH2 = await listen(createH2(onlyFast));
  slowH2 = await listen(createH2(adapter));
});
afterAll(() => {
  for (const s of [fast, slow, fastH2, slowH2]) s.close();
});

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Headers that differ by nature (time, connection management) are left out. */
const VOLATILE = new Set(["date", "connection", "keep-alive", "transfer-encoding"]);

function pick(raw: Record<string, string | string[] | number | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (!k.startsWith(":") && !VOLATILE.has(k) && v !== undefined) out[k] = String(v);
  return out;
}

function decode(headers: Record<string, string>, body: Buffer): string {
  const encoding = headers["content-encoding"];
  return (encoding === "gzip" ? gunzipSync(body) : encoding === "br" ? brotliDecompressSync(body) : body).toString("base64");
}

/** One request over HTTP/1.1 (node:http: nothing decompressed or rewritten on the way). */
function h1(p: number, headers: Record<string, string>, body: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: p, method: "POST", path: "/llmgateway.v1.GatewayService/Complete", headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const kept = pick(res.headers);
        resolve({ status: res.statusCode ?? 0, headers: kept, body: decode(kept, Buffer.concat(chunks)) });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

function h2(p: number, headers: Record<string, string>, body: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = h2connect(`http://127.0.0.1:${p}`);
    const req = session.request({ ":method": "POST", ":path": "/llmgateway.v1.GatewayService/Complete", ...headers });
    const chunks: Buffer[] = [];
    let status = 0;
    let kept: Record<string, string> = {};
    req.on("response", (h) => {
      status = Number(h[":status"]);
      kept = pick(h);
    });
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      session.close();
      resolve({ status, headers: kept, body: decode(kept, Buffer.concat(chunks)) });
    });
    req.on("error", reject);
    req.end(body);
  });
}

const json = { "content-type": "application/json" };
const ask = (model: string, extra: Record<string, unknown> = {}): string => JSON.stringify({ model, messages: [{ role: "ROLE_USER", content: "hello" }], ...extra });

const cases: Array<[string, Record<string, string>, string | Buffer]> = [
  ["a valid JSON request", { ...json, "x-who": "alice" }, ask("m1")],
  ["a valid JSON request with the protocol version", { ...json, "connect-protocol-version": "1" }, ask("m1")],
  ["JSON with a charset", { "content-type": "application/json; charset=utf-8" }, ask("m1")],
  ["a binary request", { "content-type": "application/proto" }, Buffer.from([0x0a, 0x02, 0x6d, 0x31])],
  ["malformed JSON", json, "{not json"],
  ["an unknown field", json, ask("m1", { nope: 1 })],
  ["a wrong field type", json, ask("m1", { maxTokens: "many" })],
  ["malformed protobuf", { "content-type": "application/proto" }, Buffer.from([0x0a, 0xff])],
  ["a body over the limit", json, ask("x".repeat(MAX))],
  ["an invalid timeout", { ...json, "connect-timeout-ms": "soon" }, ask("m1")],
  ["an error with metadata and details", json, ask("fail")],
  ["an unexpected error", json, ask("crash")],
  ["a refusal by an interceptor", { ...json, "x-deny": "1" }, ask("m1")],
  ["a deadline that passes", { ...json, "connect-timeout-ms": "50" }, ask("slow")],
  ["a large answer the client takes gzipped", { ...json, "accept-encoding": "gzip" }, ask("big")],
  ["a large answer without compression", json, ask("big")],
  ["a large answer, brotli first in the client's list", { ...json, "accept-encoding": "br, gzip" }, ask("big")],
  ["a large answer, gzip with a weight connect-node does not parse", { ...json, "accept-encoding": "gzip;q=1.0" }, ask("big")],
];

describe("the Connect unary fast path", () => {
  for (const [name, headers, body] of cases) {
    it(`answers ${name} as connect-node does, over HTTP/1.1 and HTTP/2`, async () => {
      const [a, b, c, d] = await Promise.all([h1(port(fast), headers, body), h1(port(slow), headers, body), h2(port(fastH2), headers, body), h2(port(slowH2), headers, body)]);
      expect(a.status).not.toBe(599);
      expect(c.status).not.toBe(599);
      expect(a).toEqual(b);
      expect(c).toEqual(d);
    });
  }

  it("declines what it does not serve: compressed requests, GET, other protocol versions and streams", async () => {
    expect((await h1(port(fast), { ...json, "content-encoding": "gzip" }, ask("m1"))).status).toBe(599);
    expect((await h1(port(fast), { ...json, "connect-protocol-version": "2" }, ask("m1"))).status).toBe(599);
    expect((await h1(port(fast), { "content-type": "application/connect+json" }, ask("m1"))).status).toBe(599);
    const get = await fetch(`http://127.0.0.1:${port(fast)}/llmgateway.v1.GatewayService/Complete?encoding=json&message=${encodeURIComponent(ask("m1"))}`);
    expect(get.status).toBe(599);
  });
});

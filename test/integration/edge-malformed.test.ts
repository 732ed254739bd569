/**
 * Malformed requests are handled the same on every path: a CR, LF or NUL in an HTTP/2 field value is dropped by
 * Node's HTTP/2 layer before any path (HTTP/1.1: 400), and Connect JSON that is not UTF-8 (RFC 8259) is
 * INVALID_ARGUMENT (HTTP 400), on the lean paths and on connect-node alike.
 */
import { createServer as createH2 } from "node:http2";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMPTY_MESSAGE, hold } from "../helpers/edge-clients.js";
import { rawRequest } from "../helpers/raw-h2.js";
import { oneModel, startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

const LIST = "/llmgateway.v1.GatewayService/ListModels";
const COMPLETE = "/llmgateway.v1.GatewayService/Complete";
const HEALTH = "/grpc.health.v1.Health/Check";

/** Each door: the lean gRPC path, connect-node's gRPC (health), the lean Connect path over HTTP/2, and gRPC-Web (connect-node). */
const DOORS = [
  ["lean gRPC", LIST, "application/grpc", EMPTY_MESSAGE],
  ["connect-node gRPC", HEALTH, "application/grpc", EMPTY_MESSAGE],
  ["lean Connect", LIST, "application/json", Buffer.from("{}")],
  ["connect-node gRPC-Web", LIST, "application/grpc-web", EMPTY_MESSAGE],
] as const;

let h: Harness;
beforeAll(async () => {
  h = await startHarness(oneModel());
});
afterAll(() => h.close());

function headers(path: string, type: string, extra: string): [string, string][] {
  return [[":method", "POST"], [":scheme", "http"], [":path", path], [":authority", "x"], ["content-type", type], ["x-meta", extra]];
}

describe("a CR, LF or NUL in a field value", () => {
  // Node's HTTP/2 layer (nghttp2) drops such a field before any JS sees it (it cannot be reset from JS): the request
  // is served as if the field were absent, the same on every path, and the value never reaches a handler or a log.
  it.each(DOORS)("is dropped before the %s path: the answer is the one without the field", async (_name, path, type, body) => {
    const without = await rawRequest(h.port, headers(path, type, "fine").slice(0, -1), body);
    expect(without.rstCode).toBeUndefined();
    expect(without.types[0]).toBe(1); // an answer: HEADERS first
    for (const bad of ["a\r\nb", "a\nb", "a\rb", "a\0b"]) expect(await rawRequest(h.port, headers(path, type, bad), body)).toEqual(without);
  });

  it("never reaches a handler (what the gateway relies on)", async () => {
    const seen: string[] = [];
    const server = createH2((req, res) => {
      seen.push(String(req.headers["x-meta"]));
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    for (const value of ["fine", "a\r\nb", "a\0b"]) await rawRequest(port, headers("/x", "application/grpc", value), EMPTY_MESSAGE, 100);
    server.close();
    expect(seen).toEqual(["fine", "undefined", "undefined"]);
  });

  it("is 400 on HTTP/1.1 (Connect, gRPC-Web): Node's parser refuses it", async () => {
    for (const bad of ["a\rb", "a\0b"]) {
      const s = await hold(h.port, `POST ${LIST} HTTP/1.1\r\nHost: x\r\nX-Meta: ${bad}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`, () => 0);
      await s.closed;
      expect(s.received()).toMatch(/^HTTP\/1\.1 400/);
    }
  });
});

describe("Connect JSON that is not UTF-8", () => {
  const request = (text: Buffer): Buffer => Buffer.concat([Buffer.from('{"model":"m1","messages":[{"role":"ROLE_USER","content":"a'), text, Buffer.from('"}]}')]);
  const invalid = Buffer.from([0xff, 0xfe]);

  async function post(path: string, body: Buffer, extra = ""): Promise<string> {
    const head = `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${extra}Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    const s = await hold(h.port, Buffer.concat([Buffer.from(head), body]), () => 0);
    await s.closed;
    return s.received();
  }

  it("is served when valid (the control)", async () => {
    expect(await post(COMPLETE, request(Buffer.from("é")))).toMatch(/^HTTP\/1\.1 200/);
  });

  it.each([
    ["the lean Connect path", COMPLETE, (b: Buffer) => b, ""],
    ["connect-node (a gzip request)", COMPLETE, (b: Buffer) => gzipSync(b), "Content-Encoding: gzip\r\n"],
  ] as const)("is INVALID_ARGUMENT (400) on %s", async (_name, path, encode, extra) => {
    const answer = await post(path, encode(request(invalid)), extra);
    expect(answer).toMatch(/^HTTP\/1\.1 400[^]*"code":"invalid_argument"/);
  });

  it("is INVALID_ARGUMENT (400) on connect-node's health service, not a lookup of U+FFFD", async () => {
    const answer = await post(HEALTH, Buffer.concat([Buffer.from('{"service":"'), invalid, Buffer.from('"}')]));
    expect(answer).toMatch(/^HTTP\/1\.1 400[^]*"code":"invalid_argument"/);
  });
});

/** Hostile bytes: random and malformed gRPC frames, protobuf and Connect JSON get a status, never a crash. */
import { connect as h2connect } from "node:http2";
import type { ClientHttp2Session } from "node:http2";
import { request as h1request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../src/sim/profile.js";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import { oneModel, startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

let h: Harness;
let session: ClientHttp2Session;
const random = seededRandom(42);

beforeAll(async () => {
  h = await startHarness({ ...oneModel(), config: { ...oneModel().config, server: { maxRequestBytes: 65_536 } } });
  session = h2connect(`http://${h.address}`);
});
afterAll(async () => {
  session.close();
  await h.close();
});

const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
const int = (max: number): number => Math.floor(random() * max);

/** A gRPC-framed body: usually well-framed random protobuf, sometimes lying about length or compression. */
function grpcBody(): Buffer {
  const payload = bytes(int(300));
  const header = Buffer.alloc(5);
  const variant = int(6);
  header[0] = variant === 0 ? 1 : variant === 1 ? int(256) : 0; // compressed flag without an encoding, garbage flags
  header.writeUInt32BE(variant === 2 ? payload.length + 1 + int(100) : variant === 3 ? 0xffffffff : payload.length, 1);
  const frame = Buffer.concat([header, payload]);
  return variant === 4 ? frame.subarray(0, int(frame.length)) : variant === 5 ? Buffer.concat([frame, frame]) : frame;
}

const PATHS = ["/llmgateway.v1.GatewayService/Complete", "/llmgateway.v1.GatewayService/StreamComplete", "/llmgateway.v1.GatewayService/GetCostReport", "/llmgateway.v1.GatewayService/ListModels", "/llmgateway.v1.GatewayService/Nope", "/grpc.health.v1.Health/Check"];

/** Sends one gRPC request and resolves with its grpc-status and grpc-message (from headers or trailers). */
function grpcCall(path: string, body: Buffer): Promise<{ status: string | undefined; message: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", "grpc-timeout": "5S" });
    let status: string | undefined;
    let message = "";
    const read = (headers: Record<string, string | string[] | undefined>): void => {
      const s = headers["grpc-status"];
      const m = headers["grpc-message"];
      if (typeof s === "string") status = s;
      if (typeof m === "string") message = decodeURIComponent(m);
    };
    stream.on("response", read);
    stream.on("trailers", read);
    stream.on("data", () => undefined);
    stream.on("end", () => resolve({ status, message }));
    stream.on("error", reject);
    stream.end(body);
  });
}

/** Random JSON-ish values for Connect JSON bodies. */
function jsonValue(depth = 0): unknown {
  switch (int(depth > 2 ? 5 : 8)) {
    case 0: return int(2) ? -int(1e9) : random() * 1e300;
    case 1: return "x".repeat(int(50));
    case 2: return null;
    case 3: return int(2) === 1;
    case 4: return ["ROLE_USER", "ROLE_NOPE", 7, "auto", ""][int(5)];
    case 5: return Array.from({ length: int(4) }, () => jsonValue(depth + 1));
    default: {
      const keys = ["model", "messages", "role", "content", "maxTokens", "temperature", "topP", "stop", "tags", "requestId", "request", "complexity", "groupBy", "__proto__", "constructor"];
      return Object.fromEntries(Array.from({ length: int(5) }, () => [keys[int(keys.length)], jsonValue(depth + 1)]));
    }
  }
}

function connectCall(path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = h1request({ host: "127.0.0.1", port: h.port, path, method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("fuzzing the running server", () => {
  it("answers 2,000 malformed gRPC frames with a grpc-status each", async () => {
    const statuses = new Map<string, number>();
    const internal = new Set<string>();
    for (let i = 0; i < 2000; i += 50) {
      const batch = Array.from({ length: 50 }, () => grpcCall(PATHS[int(PATHS.length)] ?? "/", grpcBody()));
      for (const { status, message } of await Promise.all(batch)) {
        statuses.set(status ?? "none", (statuses.get(status ?? "none") ?? 0) + 1);
        if (status === "13") internal.add(message.replace(/:.*$/, ""));
      }
    }
    expect(statuses.get("none")).toBeUndefined();
    expect(statuses.get("2")).toBeUndefined(); // UNKNOWN would mean an exception escaped a handler
    // INTERNAL only where the gRPC spec prescribes it: an unparseable message or a compressed flag without an encoding.
    for (const m of internal) expect(["parse binary", "received compressed envelope, but do not know how to decompress"]).toContain(m);
    expect(statuses.get("12")).toBeGreaterThan(0); // the unknown method gets UNIMPLEMENTED, not a bare HTTP 404
  });

  it("answers 2,000 random Connect JSON bodies with a 2xx or 4xx, never a 5xx", async () => {
    const codes = new Map<number, number>();
    for (let i = 0; i < 2000; i += 50) {
      const batch = Array.from({ length: 50 }, () => {
        const raw = int(10) === 0 ? bytes(int(200)).toString("latin1") : JSON.stringify(jsonValue());
        return connectCall(PATHS[int(4)] ?? "/", raw);
      });
      for (const c of await Promise.all(batch)) codes.set(c, (codes.get(c) ?? 0) + 1);
    }
    expect([...codes.keys()].every((c) => (c >= 200 && c < 300) || (c >= 400 && c < 500))).toBe(true);
  });

  it("refuses a message over the size limit with RESOURCE_EXHAUSTED", async () => {
    const payload = Buffer.alloc(100_000, 0x41);
    const header = Buffer.alloc(5);
    header.writeUInt32BE(payload.length, 1);
    const { status, message } = await grpcCall(PATHS[0] ?? "/", Buffer.concat([header, payload]));
    expect(status).toBe("8");
    expect(message).toContain("larger than configured");
  });

  it("still serves a well-formed request afterwards", async () => {
    const res = await h.grpc.complete({ model: "m1", messages: [{ role: Role.USER, content: "still there?" }] });
    expect(res.text.length).toBeGreaterThan(0);
  });
});

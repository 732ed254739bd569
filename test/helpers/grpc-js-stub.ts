/** A @grpc/grpc-js client of the gateway with the proto loaded at run time: an independent gRPC implementation. */
import { credentials, loadPackageDefinition, Metadata } from "@grpc/grpc-js";
import type { ServiceError } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";

/** A decoded message, as proto-loader gives it (longs and enums as strings, oneofs named). */
export interface Json {
  [key: string]: unknown;
}

/** A unary method of the stub. */
export type Unary = (req: Json, md: Metadata, opts: { deadline?: number }, cb: (err: ServiceError | null, res: Json) => void) => void;

/** A server-streaming call. */
export interface StreamCall {
  on(event: "data", cb: (msg: Json) => void): StreamCall;
  on(event: "error", cb: (err: ServiceError) => void): StreamCall;
  on(event: "end", cb: () => void): StreamCall;
}

/** The GatewayService stub. */
export interface GatewayStub {
  complete: Unary;
  listModels: Unary;
  embed: Unary;
  getCostReport: Unary;
  streamComplete: (req: Json) => StreamCall;
  close(): void;
}

/** A stub connected to `address` (host:port), plaintext. */
export function grpcJsStub(address: string): GatewayStub {
  const def = loadSync("llmgateway/v1/gateway.proto", { includeDirs: ["proto"], longs: String, enums: String, defaults: false, oneofs: true });
  const pkg = loadPackageDefinition(def) as unknown as { llmgateway: { v1: { GatewayService: new (addr: string, creds: unknown) => GatewayStub } } };
  return new pkg.llmgateway.v1.GatewayService(address, credentials.createInsecure());
}

/** Calls a unary method; rejects with the ServiceError. */
export function unary(stub: GatewayStub, method: Unary, req: Json, deadline?: number): Promise<Json> {
  return new Promise((resolve, reject) => {
    method.call(stub, req, new Metadata(), deadline ? { deadline } : {}, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** Reads a whole stream: every message, in order. */
export function streamAll(stub: GatewayStub, req: Json): Promise<Json[]> {
  return new Promise((resolve, reject) => {
    const messages: Json[] = [];
    stub
      .streamComplete(req)
      .on("data", (m) => messages.push(m))
      .on("error", reject)
      .on("end", () => resolve(messages));
  });
}

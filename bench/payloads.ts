/** The benchmark's request bodies: a gRPC frame, Connect JSON, the mock's own JSON; and an envelope reader for responses. */
import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import { CompleteRequestSchema, StreamCompleteRequestSchema } from "../gen/llmgateway/v1/gateway_pb.js";
import { Role } from "../gen/llmgateway/v1/types_pb.js";

/** The prompt every benchmark request sends. */
export const PROMPT = "Summarise RFC 9113 in one line";

function request(model: string): ReturnType<typeof create<typeof CompleteRequestSchema>> {
  return create(CompleteRequestSchema, { model, messages: [{ role: Role.USER, content: PROMPT }] });
}

/** Wraps a message in the 5-byte gRPC/Connect envelope (flags 0, big-endian length). */
export function envelope(payload: Uint8Array, flags = 0): Buffer {
  const out = Buffer.alloc(5 + payload.length);
  out[0] = flags;
  out.writeUInt32BE(payload.length, 1);
  out.set(payload, 5);
  return out;
}

/** A framed gRPC CompleteRequest. */
export function grpcCompleteFrame(model: string): Buffer {
  return envelope(toBinary(CompleteRequestSchema, request(model)));
}

/** A framed gRPC StreamCompleteRequest. */
export function grpcStreamFrame(model: string): Buffer {
  return envelope(toBinary(StreamCompleteRequestSchema, create(StreamCompleteRequestSchema, { request: request(model) })));
}

/** The Connect unary JSON body of Complete. */
export function connectCompleteJson(model: string): string {
  return toJsonString(CompleteRequestSchema, request(model));
}

/** A framed Connect streaming JSON StreamCompleteRequest. */
export function connectStreamFrame(model: string): Buffer {
  return envelope(Buffer.from(toJsonString(StreamCompleteRequestSchema, create(StreamCompleteRequestSchema, { request: request(model) }))));
}

/** The OpenAI body the gateway sends upstream for the bench prompt (for direct calls to the mock). */
export function mockJson(model: string, stream: boolean): string {
  return JSON.stringify({
    model,
    messages: [{ role: "user", content: PROMPT }],
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
}

/** Splits an enveloped byte stream into messages as bytes arrive. */
export class EnvelopeReader {
  #buf: Buffer = Buffer.alloc(0);

  /** Adds bytes; returns the complete envelopes now available (flags and payload). */
  push(chunk: Buffer): Array<{ flags: number; payload: Buffer }> {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const out: Array<{ flags: number; payload: Buffer }> = [];
    while (this.#buf.length >= 5) {
      const len = this.#buf.readUInt32BE(1);
      if (this.#buf.length < 5 + len) break;
      out.push({ flags: this.#buf[0] ?? 0, payload: this.#buf.subarray(5, 5 + len) });
      this.#buf = this.#buf.subarray(5 + len);
    }
    return out;
  }
}

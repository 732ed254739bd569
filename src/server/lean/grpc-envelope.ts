/** gRPC length-prefixed messages for the fast path: read one request body within the size limit, frame responses. */
import { Code, ConnectError } from "@connectrpc/connect";
import type { Http2ServerRequest } from "node:http2";
import { readWhole } from "./call-control.js";

/** Bytes of the envelope prefix: one flags byte, four bytes of big-endian length. */
const PREFIX = 5;
/** Flag bit of a compressed message. */
const COMPRESSED = 0x01;

/** The error for a message over the limit (the text connect-node uses, so clients read the same). */
export function tooLarge(length: number, maxBytes: number): ConnectError {
  return new ConnectError(`message size ${length} is larger than configured readMaxBytes ${maxBytes}`, Code.ResourceExhausted);
}

function extraMessage(kind: string): ConnectError {
  return new ConnectError(`protocol error: received extra input message for ${kind} method`, Code.Unimplemented);
}

/**
 * Reads a request body that should hold one message. Fails early, without buffering more, when the first
 * message's declared length is over `maxBytes` (RESOURCE_EXHAUSTED) or the body grows past the largest single
 * message (an extra message). Rejects with CANCELED when the client resets the stream first.
 */
export function readBody(req: Http2ServerRequest, maxBytes: number, kind: string): Promise<Buffer> {
  let checked = false;
  return readWhole(req, (size, chunks) => {
    if (!checked && size >= PREFIX) {
      checked = true;
      const head = (chunks[0]?.length ?? 0) >= PREFIX ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
      const length = head.readUInt32BE(1);
      if (length > maxBytes) return tooLarge(length, maxBytes);
    }
    // More than any single message can be: a second message (or junk) follows the first.
    return size > PREFIX + maxBytes ? extraMessage(kind) : undefined;
  });
}

/**
 * The one message of a request body, checked as connect-node checks it: complete envelopes, none over the
 * limit, none compressed (the fast path serves only identity encoding), exactly one.
 */
export function singleMessage(body: Buffer, maxBytes: number, kind: string): Buffer {
  let message: Buffer | undefined;
  let offset = 0;
  while (offset < body.length) {
    if (body.length - offset < PREFIX) throw new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
    const flags = body[offset] ?? 0;
    const length = body.readUInt32BE(offset + 1);
    if (length > maxBytes) throw tooLarge(length, maxBytes);
    if (offset + PREFIX + length > body.length) throw new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
    if ((flags & COMPRESSED) !== 0) throw new ConnectError("received compressed envelope, but do not know how to decompress", Code.Internal);
    if (message !== undefined) throw extraMessage(kind);
    message = body.subarray(offset + PREFIX, offset + PREFIX + length);
    offset += PREFIX + length;
  }
  if (message === undefined) throw new ConnectError(`protocol error: missing input message for ${kind} method`, Code.Unimplemented);
  return message;
}

/** Frames a serialized message (flags 0). */
export function frame(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(PREFIX + bytes.length);
  out[0] = 0;
  out.writeUInt32BE(bytes.length, 1);
  out.set(bytes, PREFIX);
  return out;
}

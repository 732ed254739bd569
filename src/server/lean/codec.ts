/**
 * The one encoder policy of both lean paths: binary answers through the compiled encoder (byte for byte what
 * protobuf-es writes), JSON through protobuf-es; requests parsed, and failures worded, as connect-node does
 * (binary: INTERNAL "parse binary: ..."; JSON: INVALID_ARGUMENT, unknown fields ignored).
 */
import { fromBinary, fromJsonString, toJsonString } from "@bufbuild/protobuf";
import type { DescMessage, Message } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { encodeMessage } from "./proto-encoder.js";

const JSON_READ = { ignoreUnknownFields: true } as const;
/** JSON must be UTF-8 (RFC 8259): invalid bytes fail the parse (INVALID_ARGUMENT), as connect-node is set up to. */
const textDecoder = new TextDecoder("utf-8", { fatal: true });
const textEncoder = new TextEncoder();

/** Parses a request message from its binary or JSON form. */
export function parseMessage(schema: DescMessage, bytes: Uint8Array, binary: boolean): Message {
  if (binary) {
    try {
      return fromBinary(schema, bytes);
    } catch (err) {
      throw new ConnectError(`parse binary: ${err instanceof Error ? err.message : String(err)}`, Code.Internal);
    }
  }
  try {
    return fromJsonString(schema, textDecoder.decode(bytes), JSON_READ);
  } catch (err) {
    throw ConnectError.from(err, Code.InvalidArgument);
  }
}

/** Serializes an answer message to its binary or JSON form. */
export function serializeMessage(schema: DescMessage, message: Message, binary: boolean): Uint8Array {
  if (binary) return encodeMessage(schema, message);
  try {
    return textEncoder.encode(toJsonString(schema, message));
  } catch (err) {
    throw ConnectError.from(err, Code.Internal);
  }
}

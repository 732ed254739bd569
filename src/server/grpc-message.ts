/**
 * Re-encodes `grpc-message` as the gRPC spec says: percent-encode only '%' and bytes outside
 * 0x20-0x7E. connect-node uses encodeURIComponent, which also encodes ':' '/' ',' and the like,
 * and grpc-js decodes with decodeURI, which leaves those escaped: its users would read "field%3A".
 */
import type { Http2ServerResponse } from "node:http2";
import type { ServerResponse } from "node:http";

type NodeHeaders = Record<string, string | string[] | number | undefined>;

/** Spec encoding of a message given in encodeURIComponent form. */
export function specEncode(encoded: string): string {
  let text: string;
  try {
    text = decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function fix(headers: NodeHeaders | undefined): void {
  const value = headers?.["grpc-message"];
  if (headers && typeof value === "string") headers["grpc-message"] = specEncode(value);
}

/** Patches a response so that grpc-message in its headers (trailers-only) and trailers is spec-encoded. */
export function fixGrpcMessage(res: ServerResponse | Http2ServerResponse): void {
  const writeHead = res.writeHead.bind(res) as (status: number, headers?: NodeHeaders) => unknown;
  const addTrailers = res.addTrailers.bind(res) as (headers: NodeHeaders) => void;
  Object.assign(res, {
    writeHead(status: number, headers?: NodeHeaders) {
      fix(headers);
      return writeHead(status, headers);
    },
    addTrailers(headers: NodeHeaders) {
      fix(headers);
      addTrailers(headers);
    },
  });
}

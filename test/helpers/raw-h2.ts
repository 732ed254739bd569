/** A raw HTTP/2 client for requests Node's client refuses to send (a CR or LF in a header value): frames by hand. */
import { connect } from "node:net";

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}

/** HPACK: a literal header field without indexing, new name, no Huffman (names and values under 127 bytes). */
function literal(name: string, value: string): Buffer {
  const n = Buffer.from(name, "latin1");
  const v = Buffer.from(value, "latin1");
  return Buffer.concat([Buffer.from([0x00, n.length]), n, Buffer.from([v.length]), v]);
}

/** What the server answered on stream 1: the frame types it sent there, and the RST_STREAM / GOAWAY error codes. */
export interface RawAnswer {
  readonly types: readonly number[];
  readonly rstCode: number | undefined;
  readonly goawayCode: number | undefined;
}

/** Sends one request on stream 1 (headers in order, then `body` with END_STREAM); collects the answer until stream 1 ends or `waitMs`. */
export function rawRequest(port: number, headers: readonly (readonly [string, string])[], body: Buffer, waitMs = 300): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ types, rstCode, goawayCode });
    };
    let buf = Buffer.alloc(0);
    const types: number[] = [];
    let rstCode: number | undefined;
    let goawayCode: number | undefined;
    socket.on("error", () => undefined);
    socket.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 9) {
        const len = buf.readUIntBE(0, 3);
        if (buf.length < 9 + len) break;
        const type = buf[3] ?? 0;
        const flags = buf[4] ?? 0;
        const stream = buf.readUInt32BE(5) & 0x7fffffff;
        const payload = buf.subarray(9, 9 + len);
        if (type === 4 && (flags & 1) === 0) socket.write(frame(4, 1, 0, Buffer.alloc(0)));
        if (stream === 1) types.push(type);
        if (stream === 1 && type === 3) rstCode = payload.readUInt32BE(0);
        if (type === 7) goawayCode = payload.readUInt32BE(4);
        buf = buf.subarray(9 + len);
        if (stream === 1 && (type === 3 || ((type === 0 || type === 1) && (flags & 1) !== 0))) return finish();
      }
    });
    socket.once("connect", () => {
      const block = Buffer.concat(headers.map(([n, v]) => literal(n, v)));
      socket.write(Buffer.concat([PREFACE, frame(4, 0, 0, Buffer.alloc(0)), frame(1, 0x4, 1, block), frame(0, 0x1, 1, body)]));
    });
    const timer = setTimeout(finish, waitMs);
  });
}

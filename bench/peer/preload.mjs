// Preloaded into the peer by bench/peer.ts (node --import). Two changes, neither on the unary hot path:
// 1. Portkey 1.15.2 on Node appends its x-portkey-* headers to the upstream fetch Response of a stream, whose
//    headers are immutable, so every streamed call answers "Something went wrong" (Portkey-AI/gateway#1389,
//    #1550; with any @hono/node-server version). A streamed upstream response is handed on as a Response with
//    mutable headers (the same body stream, not a copy); unary responses are returned untouched.
// 2. Portkey listens on every interface; the benchmark keeps it on loopback.
// 3. Portkey has no SIGTERM handler; exiting on it lets `--cpu-prof` (bench/profile.ts --load=peer) write its file.
import http from "node:http";

const upstreamFetch = globalThis.fetch;
const NativeResponse = globalThis.Response;
globalThis.fetch = async function fetchWithMutableStreamHeaders(input, init) {
  const res = await upstreamFetch(input, init);
  if (!res.headers.get("content-type")?.startsWith("text/event-stream")) return res;
  return new NativeResponse(res.body, { status: res.status, statusText: res.statusText, headers: new Headers(res.headers) });
};

const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function listenOnLoopback(...args) {
  if (typeof args[0] === "number" && typeof args[1] !== "string") return listen.call(this, args[0], "127.0.0.1", ...args.slice(1).filter((a) => a !== undefined));
  if (typeof args[0] === "object" && args[0] !== null && args[0].host === undefined) return listen.call(this, { ...args[0], host: "127.0.0.1" }, ...args.slice(1));
  return listen.apply(this, args);
};

process.once("SIGTERM", () => process.exit(0));

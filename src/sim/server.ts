/** A simulated provider server: real HTTP, real wire formats, scripted latency and faults. */
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { answer } from "./answer.js";
import { echoKey } from "./echo-key.js";
import type { SimAnswer, SimRequest } from "./answer.js";
import { SIM_FORMATS } from "./formats/index.js";
import type { SimFormat, SimRefusal } from "./formats/format.js";
import type { SimEmbedRequest } from "./formats/embeddings.js";
import type { SimKind } from "./formats/index.js";
import { pickLatency, seededRandom } from "./profile.js";
import type { SimProfile } from "./profile.js";
import { RateWindow, rateHeaders } from "./rate-window.js";

/** One simulated provider endpoint, reachable under `/<name>` of the server. */
export interface SimEndpointSpec {
  readonly kind: SimKind;
  readonly profile?: SimProfile;
}

/** What an endpoint has served: the provider's own tally, to check the gateway's books against. */
export interface SimTally {
  requests: number;
  succeeded: number;
  errors: number;
  dropped: number;
  hung: number;
  /** Requests whose client closed the connection before the answer ended. */
  clientClosed: number;
  /** Tokens reported in usage (what the provider bills). */
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  /** Embeddings calls answered, texts embedded, and their characters (Gemini reports no usage: these say what it served). */
  embedRequests: number;
  embeddedTexts: number;
  embeddedChars: number;
  /** Requests refused by the profile's own rpm limit (429). */
  rateLimited: number;
}

interface Endpoint {
  readonly kind: SimKind;
  profile: SimProfile;
  random: () => number;
  readonly tally: SimTally;
  /** The profile's rpm window, when it has one. */
  window: RateWindow | undefined;
}

/** A running simulator. */
export interface Simulator {
  /** Base URL of the server, e.g. http://127.0.0.1:40123. */
  readonly url: string;
  /** The base URL a provider config should use for an endpoint. */
  baseUrl(name: string): string;
  /** Replaces an endpoint's profile (scenario tests flip providers up and down). */
  setProfile(name: string, profile: SimProfile): void;
  /** The endpoint's tally. */
  tally(name: string): SimTally;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

/** Responses whose connection the simulator cut on purpose (down, drop): not a client close. */
const cutBySim = new WeakSet<ServerResponse>();

/** Starts a simulator with the given endpoints on a loopback port (0 picks a free one). */
export async function startSimulator(endpoints: Readonly<Record<string, SimEndpointSpec>>, port = 0, host = "127.0.0.1"): Promise<Simulator> {
  const table = new Map<string, Endpoint>();
  for (const [name, spec] of Object.entries(endpoints)) {
    const profile = spec.profile ?? {};
    table.set(name, { kind: spec.kind, profile, random: seededRandom(profile.seed ?? 1), tally: emptyTally(), window: windowOf(profile) });
  }
  const sockets = new Set<Socket>();
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    handle(table, req, res).catch(() => res.destroy());
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const url = `http://${host}:${(server.address() as { port: number }).port}`;
  return {
    url,
    baseUrl: (name) => `${url}/${name}${SIM_FORMATS[mustGet(table, name).kind].basePath}`,
    setProfile(name, profile) {
      const ep = mustGet(table, name);
      ep.profile = profile;
      ep.random = seededRandom(profile.seed ?? 1);
      ep.window = windowOf(profile);
    },
    tally: (name) => ({ ...mustGet(table, name).tally }),
    close: () => closeServer(server, sockets),
  };
}

async function handle(table: Map<string, Endpoint>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? "/";
  const slash = url.indexOf("/", 1);
  const ep = table.get(slash < 0 ? url.slice(1) : url.slice(1, slash));
  if (!ep) return writeJson(res, 404, { error: { message: "no such simulated endpoint" } });
  const raw = await readBody(req);
  const format = SIM_FORMATS[ep.kind];
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    body = undefined;
  }
  const path = slash < 0 ? "/" : url.slice(slash).split("?")[0] ?? "/";
  const embed = format.embeddings?.parse(path, body);
  if (embed !== undefined) return serveEmbed(ep, format, embed, res);
  const parsed = format.parse(path, body);
  ep.tally.requests++;
  if (!parsed || "refused" in parsed) {
    ep.tally.errors++;
    const e = format.error("invalid_request", undefined, parsed?.refused);
    return write(res, e.status, e.headers, e.body);
  }
  await serve(ep, format, parsed, res);
}

/** Plays the profile's faults (down, latency, hang, error); true when one ended the request. */
async function fault(ep: Endpoint, format: SimFormat, res: ServerResponse): Promise<boolean> {
  const p = ep.profile;
  res.once("close", () => {
    if (!res.writableFinished && !cutBySim.has(res)) ep.tally.clientClosed++;
  });
  if (p.down) {
    ep.tally.errors++;
    cutBySim.add(res);
    res.socket?.destroy();
    return true;
  }
  if (ep.window && p.rpm !== undefined) {
    const verdict = ep.window.take(Date.now());
    for (const [name, value] of Object.entries(rateHeaders(p.rpm, verdict))) res.setHeader(name, value);
    if (!verdict.ok) {
      ep.tally.errors++;
      ep.tally.rateLimited++;
      const e = format.error("rate_limited", Math.ceil(verdict.resetMs / 1000));
      write(res, e.status, e.headers, e.body);
      return true;
    }
  }
  const latency = pickLatency(p, ep.random);
  if (latency > 0) await sleep(latency);
  // The client gave up while "the model was thinking": nothing is delivered, nothing billed.
  if (res.destroyed) return true;
  if (p.hangRate !== undefined && ep.random() < p.hangRate) {
    ep.tally.hung++;
    return true; // never answers; the client's timeout or cancel closes the socket
  }
  if (p.errorRate !== undefined && ep.random() < p.errorRate) {
    ep.tally.errors++;
    const plain = format.error(p.error ?? "server_error", p.retryAfterS);
    const e = p.echoKeyInErrors || p.echoKeyInLabel ? echoKey(plain, res.req, p) : plain;
    write(res, e.status, e.headers, e.body);
    return true;
  }
  return false;
}

/** Answers an embeddings request (after the profile's faults), tallying what it served and billed. */
async function serveEmbed(ep: Endpoint, format: SimFormat, req: SimEmbedRequest | SimRefusal, res: ServerResponse): Promise<void> {
  ep.tally.requests++;
  if ("refused" in req) {
    ep.tally.errors++;
    const e = format.error("invalid_request", undefined, req.refused);
    return write(res, e.status, e.headers, e.body);
  }
  if (await fault(ep, format, res)) return;
  const answer = format.embeddings?.answer(req);
  if (!answer) return writeJson(res, 404, { error: { message: "no embeddings here" } });
  ep.tally.succeeded++;
  ep.tally.embedRequests++;
  ep.tally.embeddedTexts += req.inputs.length;
  ep.tally.embeddedChars += req.inputs.reduce((n, t) => n + t.length, 0);
  ep.tally.inputTokens += answer.reportedTokens ?? 0;
  write(res, 200, { "content-type": "application/json" }, answer.body);
}

async function serve(ep: Endpoint, format: SimFormat, req: SimRequest, res: ServerResponse): Promise<void> {
  const p = ep.profile;
  if (await fault(ep, format, res)) return;
  const ans = answer(req, {
    answerWords: p.answerWords ?? 12,
    cachedTokens: p.cachedTokens ?? 0,
    ...(p.reportOutputTokens !== undefined ? { reportOutputTokens: p.reportOutputTokens } : {}),
    ...(p.toolCalls !== undefined ? { toolCalls: p.toolCalls } : {}),
    ...(p.invalidJson !== undefined ? { invalidJson: p.invalidJson } : {}),
  });
  if (!req.stream) {
    ep.tally.succeeded++;
    bill(ep, ans);
    return write(res, 200, { "content-type": "application/json" }, format.unary(req, ans));
  }
  await stream(ep, format, req, ans, res);
}

async function stream(ep: Endpoint, format: SimFormat, req: SimRequest, ans: SimAnswer, res: ServerResponse): Promise<void> {
  const p = ep.profile;
  const dropAt = p.dropRate !== undefined && ep.random() < p.dropRate ? (p.dropAfterChunks ?? 2) : -1;
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const writer = format.streamer(req, ans);
  res.write(writer.start().join(""));
  for (let i = 0; i < ans.pieces.length; i++) {
    if (i === dropAt) {
      ep.tally.dropped++;
      cutBySim.add(res);
      res.socket?.destroy();
      return;
    }
    if (p.chunkDelayMs) await sleep(p.chunkDelayMs);
    if (res.destroyed) return;
    // Wait until the chunk is handed to the socket, so a drop after it really delivers it.
    const piece = ans.pieces[i];
    if (piece === undefined) break;
    await new Promise<void>((resolve) => res.write(writer.piece(piece, i).join(""), () => resolve()));
  }
  ep.tally.succeeded++;
  bill(ep, ans);
  res.end(writer.end().join(""));
}

function bill(ep: Endpoint, ans: SimAnswer): void {
  ep.tally.inputTokens += ans.inputTokens;
  ep.tally.outputTokens += ans.pieces.length;
  ep.tally.cachedTokens += ans.cachedTokens;
}

function write(res: ServerResponse, status: number, headers: Readonly<Record<string, string>>, body: string): void {
  res.writeHead(status, { ...headers, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function writeJson(res: ServerResponse, status: number, body: unknown): void {
  write(res, status, { "content-type": "application/json" }, JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

function mustGet(table: Map<string, Endpoint>, name: string): Endpoint {
  const ep = table.get(name);
  if (!ep) throw new Error(`no simulated endpoint named ${name}`);
  return ep;
}

function windowOf(profile: SimProfile): RateWindow | undefined {
  return profile.rpm === undefined ? undefined : new RateWindow(profile.rpm);
}

function emptyTally(): SimTally {
  return {
    requests: 0, succeeded: 0, errors: 0, dropped: 0, hung: 0, clientClosed: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0,
    embedRequests: 0, embeddedTexts: 0, embeddedChars: 0, rateLimited: 0,
  };
}

async function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const s of sockets) s.destroy();
  await closed;
}

/**
 * A Gemini batch past 100 inputs goes out in parts over real HTTP: vectors come back whole and in order; a part that
 * fails fails the call, carrying what the parts before it may have billed (unknown input, never a made-up zero).
 */
import { createServer } from "node:http";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "../config/secret.js";
import type { ProviderConfig } from "../config/schema.js";
import { ProviderError } from "./errors.js";
import { HttpProvider } from "./http-provider.js";
import { geminiWire } from "./gemini/wire.js";

/** Sizes of the batches the server was sent; it fails the part numbered `failPart` (from 0) with a 503. */
const sizes: number[] = [];
let failPart = -1;
let server: Server;
let base = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { requests: { content: { parts: { text: string }[] } }[] };
      const part = sizes.length;
      sizes.push(body.requests.length);
      if (part === failPart) {
        res.writeHead(503, { "content-type": "application/json" }).end(`{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}`);
        return;
      }
      // Each vector is [the input's number], so the order can be checked.
      const embeddings = body.requests.map((r) => ({ values: [Number(r.content.parts[0]?.text)] }));
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ embeddings }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

function provider(): HttpProvider {
  const config: ProviderConfig = { name: "g", kind: "gemini", baseUrl: base, apiKey: new Secret("k"), maxConnections: 2, timeouts: { connectMs: 1000, firstByteMs: 2000, idleMs: 2000, totalMs: 5000 } };
  return new HttpProvider(config, geminiWire({ now: () => 0 }));
}
const inputs = Array.from({ length: 250 }, (_, i) => String(i));

describe("embedding batches in parts", () => {
  it("sends 250 inputs to Gemini as parts of 100, 100 and 50, and returns the 250 vectors in order", async () => {
    sizes.length = 0;
    failPart = -1;
    const p = provider();
    let dispatched = 0;
    const out = await p.embed({ inputs, upstreamModel: "gemini-embedding-001" }, { signal: new AbortController().signal, onDispatched: () => dispatched++ });
    await p.close();
    expect(sizes).toEqual([100, 100, 50]);
    expect(out.vectors.map((v) => v[0])).toEqual(inputs.map(Number));
    expect(out.usage).toEqual({});
    expect(dispatched).toBe(1);
  });

  it("fails the call when a later part fails, saying the earlier parts may have billed (input unknown)", async () => {
    sizes.length = 0;
    failPart = 1;
    const p = provider();
    const err = await p.embed({ inputs, upstreamModel: "gemini-embedding-001" }, { signal: new AbortController().signal }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await p.close();
    expect(sizes).toEqual([100, 100]);
    expect(err).toBeInstanceOf(ProviderError);
    expect([(err as ProviderError).kind, (err as ProviderError).usage]).toEqual(["overloaded", { outputTokens: 0 }]);
  });
});

/** Malformed, truncated, enormous and slow-drip provider answers become classified errors, never a crash or a hang. */
import { createServer } from "node:http";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "../config/secret.js";
import type { ProviderConfig } from "../config/schema.js";
import { ProviderError } from "./errors.js";
import { HttpProvider } from "./http-provider.js";
import { openAiWire } from "./openai/wire.js";
import type { StreamEvent } from "./types.js";

type Behaviour = (res: import("node:http").ServerResponse) => void;
const behaviours: Record<string, Behaviour> = {
  "/malformed/chat/completions": (res) => res.writeHead(200, { "content-type": "application/json" }).end('{"choices": [ {"message": '),
  "/not-json/chat/completions": (res) => res.writeHead(200, { "content-type": "text/html" }).end("<html>gateway timeout</html>"),
  "/wrong-shape/chat/completions": (res) => res.writeHead(200, { "content-type": "application/json" }).end('{"choices": [{"message": {"content": 42}}]}'),
  "/truncated/chat/completions": (res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": "500" });
    res.write('{"choices": [');
    setTimeout(() => res.socket?.destroy(), 20);
  },
  "/enormous/chat/completions": (res) => {
    res.writeHead(200, { "content-type": "application/json" });
    const chunk = Buffer.alloc(1 << 20, 0x20);
    let sent = 0;
    const pump = (): void => {
      while (sent < 64 && res.write(chunk)) sent++;
      if (sent < 64) res.once("drain", pump);
      else res.end();
    };
    pump();
  },
  "/drip/chat/completions": (res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(":")), 20);
  },
  "/garbage-sse/chat/completions": (res) => res.writeHead(200, { "content-type": "text/event-stream" }).end("data: {not json}\n\n"),
};

let server: Server;
let base = "";
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => (behaviours[req.url ?? ""] ?? ((r) => r.writeHead(404).end()))(res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

function provider(path: string, totalMs = 5000): HttpProvider {
  const config: ProviderConfig = { name: path, kind: "openai", baseUrl: `${base}/${path}`, apiKey: new Secret("k"), maxConnections: 4, timeouts: { connectMs: 1000, firstByteMs: 2000, idleMs: 2000, totalMs } };
  return new HttpProvider(config, openAiWire({ now: () => 0 }));
}
const call = { request: { messages: [{ role: "user" as const, content: "hi" }], params: {} }, upstreamModel: "m", defaultMaxTokens: 10 };

async function unaryError(path: string, totalMs?: number): Promise<ProviderError> {
  const p = provider(path, totalMs);
  try {
    await p.complete(call, { signal: new AbortController().signal });
  } catch (err) {
    return err as ProviderError;
  } finally {
    await p.close();
  }
  throw new Error("expected a failure");
}

describe("hostile upstream answers", () => {
  it.each([["malformed"], ["not-json"], ["wrong-shape"], ["enormous"]])("a %s body is an invalid_response", async (path) => {
    const err = await unaryError(path);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.kind).toBe("invalid_response");
  });

  it("a body cut short is a network error", async () => {
    expect((await unaryError("truncated")).kind).toBe("network");
  });

  it("a slow drip that never completes ends at the total timeout", async () => {
    const started = performance.now();
    const p = provider("drip", 300);
    const events: StreamEvent[] = [];
    const err = await (async () => {
      try {
        for await (const e of p.stream(call, { signal: new AbortController().signal })) events.push(e);
      } catch (e) {
        return e as ProviderError;
      } finally {
        await p.close();
      }
      throw new Error("expected a failure");
    })();
    expect(err.kind).toBe("timeout");
    expect(events).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("an SSE event that is not JSON is an invalid_response", async () => {
    const p = provider("garbage-sse");
    await expect(
      (async () => {
        for await (const _ of p.stream(call, { signal: new AbortController().signal })) void _;
      })(),
    ).rejects.toMatchObject({ kind: "invalid_response" });
    await p.close();
  });
});

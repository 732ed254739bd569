/**
 * Against a hostile provider: a stream that never ends is stopped near max_tokens and billed; an answer larger than
 * server.maxResponseBytes ends with RESOURCE_EXHAUSTED before it is sent, and the ledger says the request failed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { Server, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import { openSqlite } from "../../src/accounting/ledger/sqlite-driver.js";
import { rejection } from "../helpers/expect-error.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

const MiB = 1 << 20;
/** Connections the hostile server saw closed, by path. */
const closed = new Set<string>();

const chunk = (delta: object): string => `data: ${JSON.stringify({ choices: [{ index: 0, delta }] })}\n\n`;
const behaviours: Record<string, (res: ServerResponse) => void> = {
  // Streams a token every millisecond, forever.
  "/endless/chat/completions": (res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(chunk({ content: "tok " }))), 1);
  },
  // A 7 MB unary answer.
  "/big/chat/completions": (res) => {
    const body = JSON.stringify({ choices: [{ index: 0, message: { role: "assistant", content: "a".repeat(7_000_000) }, finish_reason: "stop" }], usage: { prompt_tokens: 5, completion_tokens: 7000 } });
    res.writeHead(200, { "content-type": "application/json" }).end(body);
  },
  // A streamed tool call of 80 x 64 KiB of arguments: every message small, the assembled summary 5 MiB.
  "/tools/chat/completions": (res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(chunk({ tool_calls: [{ index: 0, id: "c1", type: "function", function: { name: "f", arguments: '{"x":"' } }] }));
    const part = chunk({ tool_calls: [{ index: 0, function: { arguments: "y".repeat(64 * 1024) } }] });
    let n = 0;
    const go = (): void => {
      while (n < 80 && !res.destroyed) {
        n++;
        if (!res.write(part)) return void res.once("drain", go);
      }
      if (!res.destroyed) res.end(`${chunk({ tool_calls: [{ index: 0, function: { arguments: '"}' } }] })}data: [DONE]\n\n`);
    };
    go();
  },
};

let server: Server;
let dir: string;
let h: Harness;
beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? "";
    res.on("close", () => closed.add(path));
    req.resume();
    req.on("end", () => (behaviours[path] ?? ((r) => r.writeHead(404).end()))(res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  dir = mkdtempSync(join(tmpdir(), "gw-answer-size-"));
  const pricing = { inputPerMTok: 1, outputPerMTok: 1 };
  h = await startHarness({
    endpoints: { endless: { kind: "openai" }, big: { kind: "openai" }, tools: { kind: "openai" } },
    providerExtras: { endless: { baseUrl: `${base}/endless` }, big: { baseUrl: `${base}/big` }, tools: { baseUrl: `${base}/tools` } },
    config: {
      models: { endless: { provider: "endless", pricing }, big: { provider: "big", pricing }, tools: { provider: "tools", pricing } },
      failover: { maxAttempts: 1 },
      ledger: { path: join(dir, "l.db") },
    },
  });
});
afterAll(async () => {
  await h.close();
  server.closeAllConnections();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const ask = (model: string, maxTokens?: number) => ({ model, messages: [{ role: Role.USER, content: "hi" }], ...(maxTokens === undefined ? {} : { maxTokens }) });

interface Row {
  readonly outcome: string;
  readonly error_kind: string | null;
  readonly output_tokens: number | null;
  readonly cost_picos: number;
  readonly request_outcome: string;
}
function rows(requestId: string): Row[] {
  const db = openSqlite(join(dir, "l.db"));
  try {
    return db.prepare("SELECT outcome, error_kind, output_tokens, cost_picos, request_outcome FROM ledger WHERE request_id = ?").all([requestId]) as Row[];
  } finally {
    db.close();
  }
}

describe("a stream past max_tokens", () => {
  it("is stopped near max_tokens with UNAVAILABLE, its connection closed, and billed", async () => {
    const started = performance.now();
    let deltas = 0;
    const err = await rejection(
      (async () => {
        for await (const msg of h.grpc.streamComplete({ request: { ...ask("endless", 16), requestId: "endless-1" } })) if (msg.event.case === "delta") deltas++;
      })(),
    );
    const ms = performance.now() - started;
    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toMatch(/streamed past max_tokens/);
    // 2 x 16 + 64 output events are allowed; the 97th stops it.
    expect(deltas).toBe(96);
    expect(ms).toBeLessThan(3000);
    await new Promise((r) => setTimeout(r, 100));
    expect(closed.has("/endless/chat/completions")).toBe(true);
    // The provider reported nothing: billed at the estimate, which is max_tokens.
    expect(rows("endless-1")).toEqual([{ outcome: "failed", error_kind: "invalid_response", output_tokens: 16, cost_picos: expect.any(Number), request_outcome: "failed" }]);
    expect(rows("endless-1")[0]?.cost_picos).toBeGreaterThan(0);
  });
});

describe("an answer over server.maxResponseBytes", () => {
  it.each([["grpc"], ["connect"]] as const)("a 7 MB unary answer ends with RESOURCE_EXHAUSTED over %s, billed, and the ledger says the request failed", async (proto) => {
    const requestId = `big-${proto}`;
    const err = await rejection(h[proto].complete({ ...ask("big"), requestId }));
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.rawMessage).toMatch(/the answer is about 700\d{4} bytes, over the server's limit of 4194304 bytes \(server\.maxResponseBytes\)/);
    expect(rows(requestId)).toEqual([{ outcome: "succeeded", error_kind: null, output_tokens: 7000, cost_picos: 7005 * 1_000_000, request_outcome: "failed" }]);
  });

  it("a stream whose assembled tool calls pass the limit ends with RESOURCE_EXHAUSTED, and the provider is stopped", async () => {
    let toolDeltas = 0;
    const err = await rejection(
      (async () => {
        for await (const msg of h.grpc.streamComplete({ request: { ...ask("tools"), requestId: "tools-1" } })) if (msg.event.case === "toolCall") toolDeltas++;
      })(),
    );
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.rawMessage).toMatch(/over the server's limit of 4194304 bytes/);
    // Stopped once the summary passed 4 MiB: about 64 of the 80 parts were relayed.
    expect(toolDeltas).toBeGreaterThan(60);
    expect(toolDeltas).toBeLessThan(70);
    const [row] = rows("tools-1");
    expect(row).toMatchObject({ outcome: "failed", error_kind: "cancelled", request_outcome: "failed" });
    expect(row?.cost_picos).toBeGreaterThan(0);
  });
});

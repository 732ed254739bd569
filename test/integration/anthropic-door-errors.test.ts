/**
 * The Anthropic door's refusals, as the official SDK sees them: each status with Anthropic's error shape and type,
 * the SDK's own retry after a 429's retry-after, no retry on a spent budget, 503 with the attempts when every
 * candidate failed; bad input (invalid JSON, wrong types, unknown fields, a huge body) answered in the same shape;
 * and a client that abandons a stream stops the upstream call while the ledger still records it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqlite } from "../../src/accounting/ledger/sqlite-driver.js";
import { keyHash, newClientKey } from "../../src/cli/keys.js";
import { anthropicClient, postMessages } from "../helpers/anthropic-door.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

const KEY = newClientKey();
const LIMITED = newClientKey();
const BROKE = newClientKey();
const PRICING = { inputPerMTok: 1, outputPerMTok: 2 };
const HI = { model: "claude", max_tokens: 64, messages: [{ role: "user" as const, content: "hi" }] };

let dir: string;
let h: Harness;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gw-anthropic-errors-"));
  h = await startHarness({
    endpoints: {
      anth: { kind: "anthropic" },
      down: { kind: "anthropic", profile: { errorRate: 1 } },
      drip: { kind: "anthropic", profile: { chunkDelayMs: 40, answerWords: 400 } },
      cut: { kind: "anthropic", profile: { dropRate: 1, dropAfterChunks: 6, answerWords: 40 } },
    },
    config: {
      models: { claude: { provider: "anth", pricing: PRICING }, secret: { provider: "anth", pricing: PRICING }, broken: { provider: "down", pricing: PRICING }, slow: { provider: "drip", pricing: PRICING }, fragile: { provider: "cut", pricing: PRICING } },
      server: { maxRequestBytes: 64 * 1024 },
      failover: { maxAttempts: 2 },
      ledger: { path: join(dir, "ledger.db") },
      auth: {
        keys: {
          app: { sha256: keyHash(KEY), allow: ["claude", "broken", "slow", "fragile"] },
          batch: { sha256: keyHash(LIMITED), rpm: 30 },
          broke: { sha256: keyHash(BROKE), monthlyBudgetUsd: 0 },
        },
      },
    },
  });
});
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The SDK error a call rejects with. */
async function sdkError(p: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Anthropic.APIError) return err;
    throw err;
  }
  throw new Error("the call succeeded");
}

describe("refusals in Anthropic's shape", () => {
  it("401 for a missing or an invalid key", async () => {
    const missing = await postMessages(h.address, JSON.stringify(HI));
    expect(missing.status).toBe(401);
    expect(missing.json).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    expect(missing.json?.["request_id"]).toBe(missing.headers.get("request-id"));
    const wrong = await sdkError(anthropicClient(h.address, newClientKey()).client.messages.create(HI));
    expect(wrong).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(wrong.type).toBe("authentication_error");
    expect(wrong.requestID).toMatch(/\S/);
  });

  it("403 for a model the key may not use, 404 for an unknown one", async () => {
    const { client } = anthropicClient(h.address, KEY);
    const denied = await sdkError(client.messages.create({ ...HI, model: "secret" }));
    expect(denied).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(denied.type).toBe("permission_error");
    const unknown = await sdkError(client.messages.create({ ...HI, model: "claude-9" }));
    expect(unknown).toBeInstanceOf(Anthropic.NotFoundError);
    expect(unknown.type).toBe("not_found_error");
    expect(unknown.apiMessage).toContain("claude-9");
    // A stream refused before its first event is an HTTP error too, which the SDK raises (or retries) as such.
    const streamed = await sdkError(client.messages.stream({ ...HI, model: "claude-9" }).finalMessage());
    expect(streamed).toBeInstanceOf(Anthropic.NotFoundError);
  });

  it("400 naming the field: Anthropic's own checks and the service's, in Anthropic's field names", async () => {
    const { client } = anthropicClient(h.address, KEY);
    const temp = await sdkError(client.messages.create({ ...HI, temperature: 3 } as Anthropic.MessageCreateParamsNonStreaming));
    expect(temp).toBeInstanceOf(Anthropic.BadRequestError);
    expect(temp.apiMessage).toBe("temperature: Input should be less than or equal to 1");
    const orphan = await sdkError(client.messages.create({ ...HI, messages: [{ role: "user", content: "hi" }, { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_nope", content: "x" }] }] }));
    expect(orphan.type).toBe("invalid_request_error");
    expect(orphan.apiMessage).toMatch(/^messages\.1\.content\.0\.tool_use_id: /);
  });

  it("429 when the key is over its rate limit: the SDK's own retry succeeds after retry-after", async () => {
    const burn = Array.from({ length: 30 }, () => postMessages(h.address, JSON.stringify(HI), { "x-api-key": LIMITED }));
    expect((await Promise.all(burn)).map((r) => r.status)).toEqual(Array(30).fill(200));
    const refused = await postMessages(h.address, JSON.stringify(HI), { "x-api-key": LIMITED });
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const { client, statuses } = anthropicClient(h.address, LIMITED, 2);
    const started = Date.now();
    const res = await client.messages.create(HI);
    expect(res.type).toBe("message");
    expect(statuses[0]).toBe(429);
    expect(statuses[statuses.length - 1]).toBe(200);
    expect(Date.now() - started).toBeGreaterThan(500);
  });

  it("429 with x-should-retry: false for a spent budget: the SDK does not retry", async () => {
    const { client, statuses } = anthropicClient(h.address, BROKE, 2);
    const err = await sdkError(client.messages.create(HI));
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect(err.headers?.get("x-should-retry")).toBe("false");
    expect(err.apiMessage).toContain("budget");
    expect(statuses).toEqual([429]);
  });

  it("503 with every attempt in the message when every candidate failed", async () => {
    const err = await sdkError(anthropicClient(h.address, KEY).client.messages.create({ ...HI, model: "broken" }));
    expect(err.status).toBe(503);
    expect(err.type).toBe("api_error");
    expect(err.apiMessage).toMatch(/attempt/);
    expect(err.apiMessage).toContain("down");
    const streamed = await sdkError(anthropicClient(h.address, KEY).client.messages.stream({ ...HI, model: "broken" }).finalMessage());
    expect(streamed.status).toBe(503);
  });
});

describe("bad input on the door", () => {
  const auth = { "x-api-key": KEY };
  it("answers invalid JSON, wrong types, unknown fields and a missing max_tokens with 400 invalid_request_error", async () => {
    const cases: Array<[string, string]> = [
      ["{not json", "the request body is not valid JSON"],
      [JSON.stringify({ ...HI, max_tokens: "64" }), "max_tokens: Input should be a valid integer"],
      [JSON.stringify({ ...HI, messages: "hi" }), "messages: Input should be a valid list"],
      [JSON.stringify({ ...HI, messages: [{ role: "system", content: "x" }] }), "messages.0.role: Input should be 'user', 'assistant'"],
      [JSON.stringify({ ...HI, frequency_penalty: 1 }), "frequency_penalty: Extra inputs are not permitted"],
      [JSON.stringify({ ...HI, messages: [{ role: "user", content: [{ type: "text", text: "x", colour: 1 }] }] }), "messages.0.content.0.colour: Extra inputs are not permitted"],
      [JSON.stringify({ model: "claude", messages: HI.messages }), "max_tokens: Field required"],
      ["[1,2]", "body: Input should be a valid dictionary or object"],
    ];
    for (const [body, message] of cases) {
      const res = await postMessages(h.address, body, auth);
      expect(res.status, body).toBe(400);
      expect(res.json, body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
      expect(String((res.json?.["error"] as Record<string, unknown>)["message"]), body).toContain(message);
    }
  });

  it("answers a malformed extra header with 400 naming it, the request id still on the answer", async () => {
    const res = await postMessages(h.address, JSON.stringify(HI), { ...auth, "x-llmgateway-tags": "no-equals-sign", "x-request-id": "anth-bad-tags" });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ type: "error", error: { type: "invalid_request_error" }, request_id: "anth-bad-tags" });
    expect(String((res.json?.["error"] as Record<string, unknown>)["message"])).toMatch(/^x-llmgateway-tags: /);
    expect(res.headers.get("request-id")).toBe("anth-bad-tags");
  });

  it("answers a body over the bound with 413 request_too_large", async () => {
    const huge = JSON.stringify({ ...HI, messages: [{ role: "user", content: "x".repeat(100 * 1024) }] });
    const res = await postMessages(h.address, huge, auth);
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ type: "error", error: { type: "request_too_large" } });
  });
});

describe("a stream that fails after it started", () => {
  it("ends with an error event in Anthropic's shape, which the SDK raises", async () => {
    const raw = await postMessages(h.address, JSON.stringify({ ...HI, model: "fragile", stream: true }), { "x-api-key": KEY });
    expect(raw.status).toBe(200);
    const events = [...raw.text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
    expect(events[0]).toBe("message_start");
    expect(events[events.length - 1]).toBe("error");
    expect(events).not.toContain("message_stop");
    const stream = anthropicClient(h.address, KEY).client.messages.stream({ ...HI, model: "fragile" });
    const err = await sdkError(stream.finalMessage());
    expect(err.type).toBe("api_error");
    expect(err.apiMessage).toContain("the stream failed after it started");
  });
});

describe("a client that abandons a stream", () => {
  it("stops the upstream call, and the ledger still records the request", async () => {
    const before = h.sim.tally("drip").clientClosed;
    const { client } = anthropicClient(h.address, KEY);
    const stream = client.messages.stream({ ...HI, model: "slow", max_tokens: 1024 }, { headers: { "x-request-id": "anth-abandon-1" } });
    let deltas = 0;
    for await (const ev of stream) {
      if (ev.type === "content_block_delta" && ++deltas === 3) break;
    }
    await expect.poll(() => h.sim.tally("drip").clientClosed, { timeout: 3000 }).toBe(before + 1);
    const db = openSqlite(join(dir, "ledger.db"), { readonly: true });
    try {
      const read = () => db.prepare("SELECT outcome, streamed FROM ledger WHERE request_id = 'anth-abandon-1'").all();
      await expect.poll(read, { timeout: 3000 }).toHaveLength(1);
      expect(read()[0]).toMatchObject({ streamed: 1 });
    } finally {
      db.close();
    }
  });
});

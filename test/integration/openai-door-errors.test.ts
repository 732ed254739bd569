/**
 * The OpenAI door's refusals as the official SDK meets them: 401, 403, 400 with the offending param, 404, 429 with
 * retry-after (the SDK's own retry succeeds) and a spent budget it does not retry, 503 with the attempts; bad
 * bodies answered in OpenAI's error shape; a failure after the stream started; a client that abandons a stream.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyHash, newClientKey } from "../../src/cli/keys.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

const TEAM = newClientKey();
const LIMITED = newClientKey();
const BROKE = newClientKey();
const PRICING = { inputPerMTok: 1, outputPerMTok: 2 };
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    endpoints: {
      sim: { kind: "openai" },
      down: { kind: "openai", profile: { down: true } },
      busy: { kind: "anthropic", profile: { errorRate: 1, error: "overloaded" } },
      drop: { kind: "openai", profile: { dropRate: 1, dropAfterChunks: 3, answerWords: 30 } },
      slow: { kind: "openai", profile: { chunkDelayMs: 40, answerWords: 200 } },
    },
    config: {
      server: { maxRequestBytes: 64 * 1024 },
      models: {
        cheap: { provider: "sim", pricing: PRICING },
        other: { provider: "sim", pricing: PRICING },
        gone: { provider: "down", pricing: PRICING, fallbacks: ["busy-model"] },
        "busy-model": { provider: "busy", pricing: PRICING },
        dropping: { provider: "drop", pricing: PRICING },
        slow: { provider: "slow", pricing: PRICING },
      },
      auth: {
        keys: {
          team: { sha256: keyHash(TEAM), allow: ["cheap", "gone", "busy-model", "dropping", "slow"] },
          limited: { sha256: keyHash(LIMITED), rpm: 60 },
          broke: { sha256: keyHash(BROKE), monthlyBudgetUsd: 0 },
        },
      },
    },
  });
});
afterAll(async () => {
  await h?.close();
});

/** An SDK client with a key, counting the HTTP requests it makes (its own retries included). */
function sdk(key: string, maxRetries = 0): { client: OpenAI; sent: Response[] } {
  const sent: Response[] = [];
  const counting: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    sent.push(res);
    return res;
  };
  return { client: new OpenAI({ baseURL: `http://${h.address}/v1`, apiKey: key, maxRetries, fetch: counting }), sent };
}

const hi = (model: string) => ({ model, messages: [{ role: "user" as const, content: "hi" }] });

/** Posts raw bytes to the door; resolves with the status, headers and parsed body. */
async function post(body: string | Uint8Array, key = TEAM): Promise<{ status: number; headers: Headers; body: { error: Record<string, unknown> } }> {
  const res = await fetch(`http://${h.address}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body });
  return { status: res.status, headers: res.headers, body: (await res.json()) as { error: Record<string, unknown> } };
}

describe("statuses the SDK acts on", () => {
  it("401 for a wrong key, in OpenAI's shape", async () => {
    const err = await sdk("sk-wrong").client.chat.completions.create(hi("cheap")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err).toMatchObject({ status: 401, code: "invalid_api_key", type: "invalid_request_error" });
  });

  it("403 for a model the key may not use", async () => {
    const err = await sdk(TEAM).client.chat.completions.create(hi("other")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(String((err as Error).message)).toContain("may not use");
  });

  it("400 naming the param, in OpenAI's names", async () => {
    const { client } = sdk(TEAM);
    await expect(client.chat.completions.create({ ...hi("cheap"), temperature: 7 })).rejects.toMatchObject({ status: 400, param: "temperature" });
    const badSchema = { type: "function" as const, function: { name: "f", parameters: { type: "object", properties: { a: { type: 5 } } } } };
    await expect(client.chat.completions.create({ ...hi("cheap"), tools: [badSchema] })).rejects.toMatchObject({ status: 400, param: "tools[0].function.parameters" });
    await expect(client.chat.completions.create({ ...hi("cheap"), n: 2 })).rejects.toMatchObject({ status: 400, param: "n" });
  });

  it("404 for an unknown model", async () => {
    const err = await sdk(TEAM).client.chat.completions.create(hi("gpt-99")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err).toMatchObject({ code: "model_not_found" });
  });

  it("429 with retry-after when the key is over its rate limit; the SDK's own retry then succeeds", async () => {
    const direct = sdk(LIMITED).client;
    let refused: unknown;
    for (let i = 0; i < 70 && refused === undefined; i++) refused = await direct.chat.completions.create(hi("cheap")).then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    expect(refused).toMatchObject({ code: "rate_limit_exceeded" });
    const { client, sent } = sdk(LIMITED, 2);
    const res = await client.chat.completions.create(hi("cheap"));
    expect(res.choices[0]?.message.content).toMatch(/\w+/);
    expect(sent.map((r) => r.status)).toEqual([429, 200]);
    expect(Number(sent[0]?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("429 insufficient_quota for a spent budget, which the SDK does not retry", async () => {
    const { client, sent } = sdk(BROKE, 2);
    const err = await client.chat.completions.create(hi("cheap")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err).toMatchObject({ code: "insufficient_quota" });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.headers.get("x-should-retry")).toBe("false");
  });

  it("503 when every candidate failed, with each attempt in the message", async () => {
    const err = await sdk(TEAM).client.chat.completions.create(hi("gone")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err).toMatchObject({ status: 503, type: "server_error" });
    expect(String((err as Error).message)).toMatch(/gone[\s\S]*busy-model/);
  });
});

describe("bad bodies", () => {
  it("answers invalid JSON, wrong types, unknown fields and bad UTF-8 with 400 in OpenAI's shape", async () => {
    const cases: [string | Uint8Array, string | null][] = [
      ["{not json", null],
      [JSON.stringify({ model: "cheap", messages: "hi" }), "messages"],
      [JSON.stringify({ model: "cheap", messages: [{ role: "user", content: 5 }] }), "messages[0].content"],
      [JSON.stringify({ model: 7, messages: [] }), "model"],
      [JSON.stringify({ ...hi("cheap"), temprature: 1 }), "temprature"],
      [JSON.stringify({ ...hi("cheap"), messages: [{ role: "wizard", content: "x" }] }), "messages[0].role"],
      [Uint8Array.from([0x7b, 0xff, 0x7d]), null],
    ];
    for (const [body, param] of cases) {
      const res = await post(body);
      expect(res.status, String(body)).toBe(400);
      expect(Object.keys(res.body.error).sort()).toEqual(["code", "message", "param", "type"]);
      expect(res.body.error["param"], String(body)).toBe(param);
      expect(res.body.error["type"]).toBe("invalid_request_error");
    }
  });

  it("refuses a body over the bound with 413, and stays up", async () => {
    const huge = JSON.stringify({ ...hi("cheap"), messages: [{ role: "user", content: "x".repeat(200_000) }] });
    const res = await post(huge);
    expect(res.status).toBe(413);
    expect(res.body.error["code"]).toBe("request_too_large");
    expect(res.headers.get("x-should-retry")).toBe("false");
    const ok = await sdk(TEAM).client.chat.completions.create(hi("cheap"));
    expect(ok.choices[0]?.message.content).toMatch(/\w+/);
  });
});

describe("streams that end badly", () => {
  it("tells a failure after the first chunk as an error event, which the SDK raises", async () => {
    const stream = await sdk(TEAM).client.chat.completions.create({ ...hi("dropping"), stream: true });
    const seen: string[] = [];
    const err = await (async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? "");
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(String((err as Error).message)).toMatch(/dropping/);
    expect(seen.join("")).not.toBe("");
  });

  it("stops the upstream call when the client abandons a stream, and the ledger still records it", async () => {
    const before = h.sim.tally("slow");
    const controller = new AbortController();
    const stream = await sdk(TEAM).client.chat.completions.create({ ...hi("slow"), stream: true }, { signal: controller.signal });
    let chunks = 0;
    await (async () => {
      for await (const _ of stream) if (++chunks === 3) controller.abort();
    })().catch(() => undefined);
    await expect.poll(() => h.sim.tally("slow").clientClosed, { timeout: 3000 }).toBe(before.clientClosed + 1);
    const report = await h.connect.getCostReport({ models: ["slow"] }, { headers: { authorization: `Bearer ${TEAM}` } });
    expect(Number(report.total?.requests)).toBe(1);
    expect(Number(report.total?.failures)).toBe(1);
  });
});

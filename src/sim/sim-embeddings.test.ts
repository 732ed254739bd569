/** The simulator's embeddings endpoints over real HTTP: OpenAI floats and base64, dimensions, usage, its 400 shape; Gemini without usage; tallies. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simVector } from "./embed-vectors.js";
import { startSimulator } from "./server.js";
import type { Simulator } from "./server.js";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ oa: { kind: "openai" }, ge: { kind: "gemini" }, down: { kind: "openai", profile: { errorRate: 1, error: "rate_limited", retryAfterS: 3 } } });
});
afterAll(() => sim.close());

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("simulated embeddings", () => {
  it("OpenAI: deterministic unit vectors as floats or base64 float32, dimensions honoured, usage per input", async () => {
    const url = `${sim.baseUrl("oa")}/embeddings`;
    const floats = await post(url, { model: "text-embedding-3-small", input: ["hello world", "bye"], encoding_format: "float", dimensions: 16 });
    expect(floats.status).toBe(200);
    const data = floats.json["data"] as { index: number; embedding: number[] }[];
    expect(data.map((d) => d.index)).toEqual([0, 1]);
    expect(data[0]?.embedding).toEqual(simVector("hello world", 16));
    expect(Math.hypot(...(data[0]?.embedding ?? []))).toBeCloseTo(1, 5);
    expect(floats.json["usage"]).toEqual({ prompt_tokens: 3 + 1, total_tokens: 4 });
    const b64 = await post(url, { model: "text-embedding-3-small", input: "hello world" });
    const encoded = (b64.json["data"] as { embedding: number[] }[])[0]?.embedding;
    expect(encoded).toHaveLength(1536);
    const raw = await post(url, { model: "text-embedding-3-small", input: "hello world", encoding_format: "base64" });
    const text = (raw.json["data"] as { embedding: string }[])[0]?.embedding ?? "";
    expect([...new Float32Array(new Uint8Array(Buffer.from(text, "base64")).buffer)]).toEqual(simVector("hello world", 1536));
  });

  it("OpenAI: an empty input is a 400 in OpenAI's error shape, and a profile's faults apply", async () => {
    const bad = await post(`${sim.baseUrl("oa")}/embeddings`, { model: "m", input: ["ok", ""] });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ error: { message: "'$.input' is invalid: an input is empty", type: "invalid_request_error", param: null, code: null } });
    const limited = await fetch(`${sim.baseUrl("down")}/embeddings`, { method: "POST", body: JSON.stringify({ model: "m", input: ["x"] }) });
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "3"]);
  });

  it("Gemini: batchEmbedContents answers vectors of outputDimensionality and no usage; tallies count what was served", async () => {
    const before = sim.tally("ge");
    const res = await post(`${sim.baseUrl("ge")}/v1beta/models/gemini-embedding-001:batchEmbedContents`, {
      requests: ["abc", "defgh"].map((text) => ({ model: "models/gemini-embedding-001", content: { parts: [{ text }] }, outputDimensionality: 8 })),
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ embeddings: [{ values: simVector("abc", 8) }, { values: simVector("defgh", 8) }] });
    const after = sim.tally("ge");
    expect([after.embedRequests - before.embedRequests, after.embeddedTexts - before.embeddedTexts, after.embeddedChars - before.embeddedChars, after.inputTokens]).toEqual([1, 2, 8, 0]);
    const empty = await post(`${sim.baseUrl("ge")}/v1beta/models/gemini-embedding-001:batchEmbedContents`, { requests: [{ model: "models/gemini-embedding-001", content: { parts: [{ text: "" }] } }] });
    expect([empty.status, (empty.json["error"] as Record<string, unknown>)["status"]]).toEqual([400, "INVALID_ARGUMENT"]);
    const many = Array.from({ length: 101 }, (_, i) => ({ model: "models/gemini-embedding-001", content: { parts: [{ text: `t${i}` }] } }));
    const tooMany = await post(`${sim.baseUrl("ge")}/v1beta/models/gemini-embedding-001:batchEmbedContents`, { requests: many });
    expect([tooMany.status, (tooMany.json["error"] as Record<string, unknown>)["message"]]).toEqual([400, "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch"]);
  });
});

/**
 * Embeddings through the OpenAI door with the official `openai` SDK (6.x), on the served Embed RPC: its default
 * base64 vectors decoded to the simulators' own, dimensions, failover to Gemini with the estimate said in a header,
 * errors in OpenAI's shape, and the report by operation equal to what the SDK was told.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Dimension } from "../../gen/llmgateway/v1/cost_pb.js";
import { simVector } from "../../src/sim/embed-vectors.js";
import { simEmbedTokens } from "../../src/sim/formats/embeddings.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

let h: Harness;
let client: OpenAI;
/** prompt_tokens the SDK was told, by serving model (from the x-llmgateway-model header). */
const told = new Map<string, number>();

beforeAll(async () => {
  h = await startHarness({
    endpoints: { oa: { kind: "openai" }, ge: { kind: "gemini" }, down: { kind: "openai", profile: { errorRate: 1, error: "overloaded" } } },
    config: {
      models: {
        "text-embedding-3-small": { kind: "embedding", provider: "oa", pricing: { inputPerMTok: 0.02 } },
        "gemini-embedding-001": { kind: "embedding", provider: "ge", dimensions: 1536, pricing: { inputPerMTok: 0.15 } },
        "down-embedding": { kind: "embedding", provider: "down", pricing: { inputPerMTok: 0.02 } },
        chat: { provider: "oa", pricing: { inputPerMTok: 1, outputPerMTok: 2 } },
      },
      routes: { embed: { models: ["down-embedding", "gemini-embedding-001"] } },
      failover: { backoffBaseMs: 1, backoffMaxMs: 2 },
    },
  });
  client = new OpenAI({ baseURL: `http://${h.address}/v1`, apiKey: "unused", maxRetries: 0 });
});
afterAll(async () => {
  await h?.close();
});

async function create(body: OpenAI.EmbeddingCreateParams): Promise<{ data: OpenAI.CreateEmbeddingResponse; headers: Headers }> {
  const { data, response } = await client.embeddings.create(body).withResponse();
  const model = response.headers.get("x-llmgateway-model") ?? data.model;
  told.set(model, (told.get(model) ?? 0) + data.usage.prompt_tokens);
  return { data, headers: response.headers };
}

describe("embeddings through the OpenAI door", () => {
  it("embeds a batch with the SDK's default base64 vectors, decoded to the provider's floats, with usage", async () => {
    const input = ["The food was delicious", "and the waiter was kind"];
    const { data, headers } = await create({ model: "text-embedding-3-small", input });
    expect(data.data.map((d) => d.index)).toEqual([0, 1]);
    data.data.forEach((d, i) => expect(d.embedding).toEqual(simVector(input[i] ?? "", 1536)));
    expect(data.usage).toEqual({ prompt_tokens: simEmbedTokens(input), total_tokens: simEmbedTokens(input) });
    expect(headers.get("x-llmgateway-usage-basis")).toBe("reported");
  });

  it("passes dimensions and float encoding", async () => {
    const { data } = await create({ model: "text-embedding-3-small", input: "one text", dimensions: 32, encoding_format: "float" });
    expect(data.data[0]?.embedding).toEqual(simVector("one text", 32));
  });

  it("fails over to Gemini, whose usage is the gateway's estimate and says so", async () => {
    const { data, headers } = await create({ model: "embed", input: ["alpha beta", "gamma"] });
    expect(data.model).toBe("gemini-embedding-001");
    expect(data.data.map((d) => d.embedding)).toEqual([simVector("alpha beta", 1536), simVector("gamma", 1536)]);
    expect(data.usage.prompt_tokens).toBe(Math.ceil("alpha betagamma".length / 4));
    expect(headers.get("x-llmgateway-usage-basis")).toBe("estimated");
  });

  it("answers errors in OpenAI's shape: an empty input, a chat model, an unknown model", async () => {
    const status = async (body: OpenAI.EmbeddingCreateParams): Promise<[number | undefined, string]> => {
      try {
        await client.embeddings.create(body);
        return [200, ""];
      } catch (err) {
        if (err instanceof OpenAI.APIError) return [err.status, err.message];
        throw err;
      }
    };
    expect(await status({ model: "text-embedding-3-small", input: ["ok", ""] })).toEqual([400, expect.stringContaining("is empty")]);
    expect(await status({ model: "chat", input: "hi" })).toEqual([400, expect.stringContaining("is a chat model")]);
    expect(await status({ model: "nope", input: "hi" })).toEqual([404, expect.stringContaining("nope")]);
  });

  it("reports embeddings beside completions, equal to what the SDK was told", async () => {
    await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] });
    const report = await h.grpc.getCostReport({ groupBy: [Dimension.OPERATION, Dimension.MODEL] });
    const tokens = (operation: string, model: string): number => Number(report.groups.find((g) => g.key["operation"] === operation && g.key["model"] === model)?.inputTokens ?? -1n);
    expect(tokens("embeddings", "text-embedding-3-small")).toBe(told.get("text-embedding-3-small"));
    // The OpenAI-kind provider served both: its tally is the two operations' input tokens together.
    expect(tokens("embeddings", "text-embedding-3-small") + tokens("chat", "chat")).toBe(h.sim.tally("oa").inputTokens);
    expect(tokens("embeddings", "gemini-embedding-001")).toBe(told.get("gemini-embedding-001"));
    expect(report.groups.some((g) => g.key["operation"] === "chat" && g.key["model"] === "chat")).toBe(true);
  });
});

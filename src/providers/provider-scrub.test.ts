/** Provider-sent text that reaches clients and spans (error reason and type, model name) passes the adapter's scrub. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderConfig } from "../config/schema.js";
import { Secret } from "../config/secret.js";
import { startSimulator } from "../sim/server.js";
import type { Simulator } from "../sim/server.js";
import { ProviderError } from "./errors.js";
import { HttpProvider } from "./http-provider.js";
import { openAiWire } from "./openai/wire.js";
import type { StreamEvent, UpstreamCall } from "./types.js";

const KEY = "sk-ECHOED-AS-LABEL-0042";
const scrub = (text: string): string => text.split(KEY).join("[redacted]");
let sim: Simulator;
const open: HttpProvider[] = [];

beforeAll(async () => {
  sim = await startSimulator({
    label: { kind: "openai", profile: { errorRate: 1, error: "server_error", echoKeyInLabel: true } },
    ok: { kind: "openai", profile: { answerWords: 2 } },
  });
});
afterAll(async () => {
  await Promise.all(open.map((p) => p.close()));
  await sim.close();
});

function provider(endpoint: string, withScrub: boolean): HttpProvider {
  const config: ProviderConfig = {
    name: endpoint,
    kind: "openai",
    baseUrl: sim.baseUrl(endpoint),
    apiKey: new Secret(KEY),
    timeouts: { connectMs: 5_000, firstByteMs: 5_000, idleMs: 5_000, totalMs: 10_000 },
    maxConnections: 2,
  };
  const p = new HttpProvider(config, openAiWire({ now: Date.now }), withScrub ? scrub : undefined);
  open.push(p);
  return p;
}

const call = (upstreamModel = "gpt-4.1"): UpstreamCall => ({ upstreamModel, defaultMaxTokens: 50, request: { messages: [{ role: "user", content: "hi" }], params: {} } });
const options = { signal: new AbortController().signal };

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${String(err)}`);
  return err;
}

async function drain(p: HttpProvider, c: UpstreamCall): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const e of p.stream(c, options)) events.push(e);
  return events;
}

describe("adapter scrub", () => {
  it("without it, a key sent back as the error's type token is in the client-facing reason", async () => {
    const err = await failure(provider("label", false).complete(call(), options));
    expect(err.message).toBe(`500 ${KEY}`);
  });

  it("scrubs the reason and type of a unary and a streamed error, keeping kind, status and the raw cause", async () => {
    const p = provider("label", true);
    for (const err of [await failure(p.complete(call(), options)), await failure(drain(p, call()))]) {
      expect(err.message).toBe("500 [redacted]");
      expect(err.providerType).toBe("[redacted]");
      expect([err.kind, err.status]).toEqual(["server_error", 500]);
      expect(err.cause).toBeDefined();
    }
  });

  it("scrubs the model name the provider reports, unary and streamed", async () => {
    const p = provider("ok", true);
    expect((await p.complete(call(KEY), options)).responseModel).toBe("[redacted]");
    const finish = (await drain(p, call(KEY))).find((e) => e.type === "finish");
    expect(finish).toMatchObject({ type: "finish", responseModel: "[redacted]" });
    expect((await p.complete(call(), options)).responseModel).toBe("gpt-4.1");
  });
});

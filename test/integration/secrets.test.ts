/** Recognisable secrets through every error path: no form of them may appear in logs, errors, spans, reports or the ledger. */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConnectError, createClient } from "@connectrpc/connect";
import type { Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import { keyHash } from "../../src/cli/keys.js";
import { startSimulator } from "../../src/sim/server.js";
import type { Simulator } from "../../src/sim/server.js";
import { startCollector } from "../helpers/otlp-collector.js";
import type { Collector } from "../helpers/otlp-collector.js";
import { attemptsOf } from "../helpers/attempt-details.js";
import { spawnGateway } from "../helpers/process.js";
import type { GatewayProcess } from "../helpers/process.js";

const OPENAI_KEY = "sk-PROVIDER-SECRET-0001";
const ANTHROPIC_KEY = "sk-ant-PROVIDER-SECRET-0002";
const CLIENT_KEY = "gwk_CLIENT-SECRET-0003";
const WRONG_KEY = "gwk_WRONG-SECRET-0004";
const LABEL_KEY = "sk-LABEL-SECRET-0005";
const SECRETS = [OPENAI_KEY, ANTHROPIC_KEY, CLIENT_KEY, WRONG_KEY, LABEL_KEY];

/** A secret as is, URL-encoded, hex, and the middle of its base64 and base64url at each alignment (as a provider may echo it). */
function forms(secret: string): string[] {
  const out = [secret, encodeURIComponent(secret), encodeURIComponent(`Bearer ${secret}`), Buffer.from(secret).toString("hex")];
  for (const pad of ["", "a", "ab"]) {
    for (const enc of ["base64", "base64url"] as const) out.push(Buffer.from(pad + secret).toString(enc).slice(4, -4));
  }
  return out;
}

let sim: Simulator;
let sink: Collector;
let dir: string;
let gw: GatewayProcess;
let client: Client<typeof GatewayService>;
const seen: string[] = [];

beforeAll(async () => {
  sim = await startSimulator({
    leaky: { kind: "openai", profile: { errorRate: 1, error: "auth", echoKeyInErrors: true } },
    leaky2: { kind: "anthropic", profile: { errorRate: 1, error: "server_error", echoKeyInErrors: true } },
    label: { kind: "openai", profile: { errorRate: 1, error: "server_error", echoKeyInErrors: true, echoKeyInLabel: true } },
    fine: { kind: "gemini" },
  });
  sink = await startCollector();
  dir = mkdtempSync(join(tmpdir(), "gw-secrets-"));
  const config = join(dir, "gw.yaml");
  writeFileSync(
    config,
    [
      "listen: 127.0.0.1:0",
      "providers:",
      `  leaky: { kind: openai, baseUrl: "${sim.baseUrl("leaky")}", apiKey: "\${LEAKY_KEY}" }`,
      `  leaky2: { kind: anthropic, baseUrl: "${sim.baseUrl("leaky2")}", apiKey: "${ANTHROPIC_KEY}" }`,
      `  fine: { kind: gemini, baseUrl: "${sim.baseUrl("fine")}", apiKey: "${OPENAI_KEY}" }`,
      `  label: { kind: openai, baseUrl: "${sim.baseUrl("label")}", apiKey: "\${LABEL_KEY}" }`,
      "models:",
      "  a: { provider: leaky, pricing: { inputPerMTok: 1, outputPerMTok: 1 } }",
      "  b: { provider: leaky2, pricing: { inputPerMTok: 1, outputPerMTok: 1 } }",
      "  c: { provider: fine, pricing: { inputPerMTok: 1, outputPerMTok: 1 } }",
      "  l: { provider: label, pricing: { inputPerMTok: 1, outputPerMTok: 1 } }",
      "routes:",
      "  doomed: { strategy: ordered, models: [a, b] }",
      "  saved: { strategy: ordered, models: [a, b, c] }",
      "  labelled: { strategy: ordered, models: [l, c] }",
      "failover: { backoffBaseMs: 1, backoffMaxMs: 2, maxAttempts: 3 }",
      "breaker: { cooldownMs: 10 }",
      `ledger: { path: "${join(dir, "ledger.db")}" }`,
      "auth:",
      `  keys: { k1: { sha256: "${keyHash(CLIENT_KEY)}", role: admin } }`,
    ].join("\n"),
  );
  gw = spawnGateway(["--config", config], {
    LEAKY_KEY: OPENAI_KEY,
    LABEL_KEY,
    LOG_LEVEL: "debug",
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_BSP_SCHEDULE_DELAY: "50",
  });
  client = createClient(GatewayService, createGrpcTransport({ baseUrl: `http://${await gw.address}` }));
});
afterAll(async () => {
  if (gw.child.exitCode === null) gw.child.kill("SIGKILL");
  sink.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const ask = (model: string) => ({ model, messages: [{ role: Role.USER, content: "hi" }] });
const auth = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });
const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
async function streamed(model: string): Promise<unknown[]> {
  const out = [];
  for await (const m of client.streamComplete({ request: ask(model) }, auth(CLIENT_KEY))) out.push(m);
  return out;
}
async function capture(p: Promise<unknown>): Promise<void> {
  try {
    seen.push(json(await p));
  } catch (err) {
    // The attempts a failed call lists travel as a binary detail: decode them to see their reasons.
    seen.push(String(err), JSON.stringify(err), json(attemptsOf(ConnectError.from(err))));
  }
}

describe("secrets", () => {
  it("never leak through any output", async () => {
    await capture(client.complete(ask("a"), auth(WRONG_KEY)));
    await capture(client.complete(ask("doomed"), auth(CLIENT_KEY)));
    await capture(client.complete(ask("saved"), auth(CLIENT_KEY)));
    await capture(client.complete(ask("labelled"), auth(CLIENT_KEY)));
    await capture(client.complete(ask("l"), auth(CLIENT_KEY)));
    await capture(streamed("doomed"));
    await capture(streamed("l"));
    await capture(client.getCostReport({}, auth(CLIENT_KEY)));
    gw.child.kill("SIGTERM");
    expect(await gw.exited).toBe(0);

    // The leaky provider really did put the key into its error body: the test would catch a leak.
    expect(gw.stderr()).toContain("provider attempt failed");
    expect(gw.stderr()).toContain("[redacted]");
    // ...also URL-encoded and in base64 (anthropic sends the bare key), each redacted whole.
    expect(gw.stderr()).toContain("key [redacted] rejected (url [redacted], b64 [redacted]");
    // The label provider's failures reached the client, each with a reason whose key token was scrubbed.
    expect(seen.join("\n")).toMatch(/l@label server_error: 500 \[redacted\]/);
    // Plain-text keys in the file are named at start, without the key; a ${ENV} key is not.
    expect(gw.stderr()).toContain('providers.leaky2.apiKey: a plain-text key in the config file; use \\"${LEAKY2_API_KEY}\\"');
    expect(gw.stderr()).toContain("providers.fine.apiKey: a plain-text key");
    expect(gw.stderr()).not.toContain("providers.leaky.apiKey");
    const ledgerFiles = readdirSync(dir).filter((f) => f.startsWith("ledger.db")).map((f) => readFileSync(join(dir, f)).toString("latin1"));
    const outputs = { stderr: gw.stderr(), clients: seen.join("\n"), telemetry: sink.bodies.map((b) => b.body).join("\n"), ledger: ledgerFiles.join("\n") };
    expect(outputs.clients).toContain("UNAUTHENTICATED".toLowerCase().slice(0, 5));
    for (const [where, text] of Object.entries(outputs)) {
      for (const secret of SECRETS) for (const form of forms(secret)) expect(text.includes(form), `${secret} as ${form} in ${where}`).toBe(false);
    }
  });
});

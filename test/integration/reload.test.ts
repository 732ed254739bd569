/** Live reload of an in-process gateway over real gRPC: streams across a removal, breaker state, prices, the report. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { metrics } from "@opentelemetry/api";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import type { Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app/app.js";
import type { App } from "../../src/app/app.js";
import { parseConfigText } from "../../src/config/load.js";
import { startSimulator } from "../../src/sim/server.js";
import type { Simulator } from "../../src/sim/server.js";
import type { LogLevel, Logger } from "../../src/telemetry/log.js";
import { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";
import { Health as ModelHealth } from "../../gen/llmgateway/v1/models_pb.js";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import { HealthCheckResponse_ServingStatus as Status } from "../../gen/grpc/health/v1/health_pb.js";
import { healthClient, keyedClient, testKey } from "../helpers/reload-config.js";
import { startHarness, oneModel } from "../helpers/harness.js";

class HandReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

let dir: string;
let sim: Simulator;
const reader = new HandReader();
const provider = new MeterProvider({ readers: [reader] });

beforeAll(async () => {
  metrics.setGlobalMeterProvider(provider);
  dir = mkdtempSync(join(tmpdir(), "gw-reload-in-"));
  sim = await startSimulator({
    good: { kind: "openai", profile: { chunkDelayMs: 40, answerWords: 20 } },
    bad: { kind: "openai", profile: { errorRate: 1, error: "server_error" } },
  });
});
afterAll(async () => {
  await sim.close();
  metrics.disable();
  rmSync(dir, { recursive: true, force: true });
});

/** A config as JSON (which is YAML): providers good and bad, the given models and extra sections. */
function configText(models: Record<string, Record<string, unknown>>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    listen: "127.0.0.1:0",
    providers: { good: { kind: "openai", baseUrl: sim.baseUrl("good") }, bad: { kind: "openai", baseUrl: sim.baseUrl("bad") } },
    models,
    ledger: { path: ":memory:" },
    auth: { enabled: false },
    breaker: { consecutiveFailures: 2, cooldownMs: 60_000, initialCooldownMs: 60_000 },
    failover: { maxAttempts: 1 },
    ...extra,
  });
}

const price = (input: number, output: number): Record<string, number> => ({ inputPerMTok: input, outputPerMTok: output });

interface Running {
  readonly app: App;
  readonly client: Client<typeof GatewayService>;
  readonly address: string;
  readonly path: string;
  readonly lines: string[];
  /** Writes the file and reloads as the RPC does. */
  write(text: string): void;
}

let running: Running | undefined;
afterEach(async () => {
  await running?.app.close(1_000);
  running = undefined;
});

async function start(name: string, text: string): Promise<Running> {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, text);
  const lines: string[] = [];
  const logger: Logger = { log: (level: LogLevel, msg: string, fields?: Record<string, unknown>) => lines.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`) };
  const app = await buildApp(parseConfigText(text).config, logger, { tracing: false, captureContent: false, configFile: { path, text } });
  const port = await app.listen(0);
  const address = `127.0.0.1:${port}`;
  const client = createClient(GatewayService, createGrpcTransport({ baseUrl: `http://${address}` }));
  running = { app, client, address, path, lines, write: (t) => writeFileSync(path, t) };
  return running;
}

const ask = (model: string) => ({ model, messages: [{ role: Role.USER, content: "tell me something" }] });

async function counted(): Promise<{ ok: number; failed: number; last: number | undefined }> {
  const { resourceMetrics } = await reader.collect();
  let ok = 0;
  let failed = 0;
  let last: number | undefined;
  for (const sm of resourceMetrics.scopeMetrics) {
    for (const m of sm.metrics) {
      for (const p of m.dataPoints) {
        if (m.descriptor.name === "llmgateway.config.reloads") {
          if (p.attributes["outcome"] === "ok") ok += Number(p.value);
          else failed += Number(p.value);
        }
        if (m.descriptor.name === "llmgateway.config.last_reload") last = Number(p.value);
      }
    }
  }
  return { ok, failed, last };
}

describe("live reload in process", () => {
  it("lets a stream on a removed model finish, and then refuses the model with NOT_FOUND", async () => {
    const r = await start("stream", configText({ m1: { provider: "good", pricing: price(1, 2) }, m2: { provider: "good", pricing: price(1, 2) } }));
    const deltas: string[] = [];
    let summary = false;
    const reading = (async () => {
      for await (const msg of r.client.streamComplete({ request: ask("m2") })) {
        if (msg.event.case === "delta") deltas.push(msg.event.value.text);
        else if (msg.event.case === "summary") summary = true;
      }
    })();
    while (deltas.length === 0) await new Promise((res) => setTimeout(res, 10));
    r.write(configText({ m1: { provider: "good", pricing: price(1, 2) } }));
    const report = await r.app.reloader?.reload("rpc");
    expect(report?.applied).toBe(true);
    expect(report?.changes.map((c) => `${c.path} ${c.change}`)).toEqual(["models.m2 removed"]);
    await reading;
    expect(summary).toBe(true);
    expect(deltas.join("").trim().split(/\s+/).length).toBeGreaterThanOrEqual(10);
    const err = await r.client.complete(ask("m2")).catch((e: unknown) => ConnectError.from(e));
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.NotFound);
  });

  it("keeps the open breaker of an unchanged deployment across a reload; a deployment that changed starts closed", async () => {
    const models = { ok: { provider: "good", pricing: price(1, 2) }, flaky: { provider: "bad", pricing: price(1, 2) } };
    const r = await start("breaker", configText(models));
    for (let i = 0; i < 2; i++) await r.client.complete(ask("flaky")).catch(() => undefined);
    const health = async (name: string) => (await r.client.listModels({})).models.find((m) => m.name === name)?.health;
    expect(await health("flaky")).toBe(ModelHealth.UNHEALTHY);
    r.write(configText({ ...models, flaky: { provider: "bad", pricing: price(3, 4) }, extra: { provider: "good", pricing: price(1, 1) } }));
    expect((await r.app.reloader?.reload("rpc"))?.applied).toBe(true);
    expect(await health("flaky")).toBe(ModelHealth.UNHEALTHY);
    r.write(configText({ ...models, flaky: { provider: "bad", upstreamModel: "flaky-v2", pricing: price(3, 4) } }));
    expect((await r.app.reloader?.reload("rpc"))?.applied).toBe(true);
    expect(await health("flaky")).toBe(ModelHealth.HEALTHY);
  });

  it("prices the next request at a new price and keeps each ledger row's own cost", async () => {
    const r = await start("price", configText({ m1: { provider: "good", pricing: price(1, 2) } }));
    const first = await r.client.complete(ask("m1"));
    r.write(configText({ m1: { provider: "good", pricing: price(10, 20) } }));
    expect((await r.app.reloader?.reload("rpc"))?.changes.map((c) => c.fields.join())).toEqual(["pricing"]);
    const second = await r.client.complete(ask("m1"));
    const picos = (m: { units: bigint; picoUnits: bigint } | undefined): bigint => (m ? m.units * 1_000_000_000_000n + m.picoUnits : -1n);
    const usage = (res: typeof first): bigint => (res.usage?.inputTokens ?? 0n) * 1_000_000n + (res.usage?.outputTokens ?? 0n) * 2_000_000n;
    expect(picos(first.cost)).toBe(usage(first));
    expect(picos(second.cost)).toBe(10n * usage(second));
    const reportTotal = (await r.client.getCostReport({})).total?.cost;
    expect(picos(reportTotal)).toBe(picos(first.cost) + picos(second.cost));
  });

  it("reports a refused reload by RPC answer, metric, health and log, and serves on the old config", async () => {
    const r = await start("refused", configText({ m1: { provider: "good", pricing: price(1, 2) } }));
    const before = await counted();
    r.write(configText({ m1: { provider: "nowhere", pricing: price(-1, 2) } }, { listen: "127.0.0.1:9" }));
    const res = await r.client.reloadConfig({});
    expect(res.applied).toBe(false);
    expect(res.problems.map((p) => p.path)).toEqual(expect.arrayContaining(["models.m1.provider", "models.m1.pricing.inputPerMTok"]));
    expect((await healthClient(r.address).check({ service: "llmgateway.config" })).status).toBe(Status.NOT_SERVING);
    expect(r.lines.some((l) => l.startsWith("error config reload refused") && l.includes("models.m1.provider"))).toBe(true);
    let after = await counted();
    expect(after.failed - before.failed).toBe(1);
    expect(after.last).toBe(0);
    expect((await r.client.complete(ask("m1"))).model).toBe("m1");
    // Valid but for the listen address: refused by that field alone.
    r.write(configText({ m1: { provider: "good", pricing: price(1, 2) } }, { listen: "127.0.0.1:9" }));
    const listen = await r.client.reloadConfig({});
    expect(listen.problems.map((p) => p.path)).toEqual(["listen"]);
    r.write(configText({ m1: { provider: "good", pricing: price(1, 2) }, m2: { provider: "good", pricing: price(1, 2) } }));
    const ok = await r.client.reloadConfig({});
    expect(ok.applied).toBe(true);
    expect(ok.changes.map((c) => c.path)).toEqual(["models.m2"]);
    expect((await healthClient(r.address).check({ service: "llmgateway.config" })).status).toBe(Status.SERVING);
    after = await counted();
    expect(after.ok - before.ok).toBe(1);
    expect(after.last).toBe(1);
  });

  it("keeps a key's month of spend across a reload that changes the budgets, and applies a raised budget", async () => {
    const a = testKey();
    const b = testKey();
    const m1 = { m1: { provider: "good", pricing: price(1, 2) } };
    const auth = (keys: Record<string, Record<string, unknown>>) => ({ auth: { keys } });
    const r = await start("budget", configText(m1, auth({ a: { sha256: a.sha256, monthlyBudgetUsd: 0.000001 } })));
    const client = keyedClient(r.address, a.key);
    await client.complete(ask("m1"));
    const code = async (): Promise<Code | 0> => client.complete(ask("m1")).then(() => 0 as const, (e: unknown) => ConnectError.from(e).code);
    expect(await code()).toBe(Code.ResourceExhausted);
    // Another key's budget is new: the guard is rebuilt, and a's spend is read again from the ledger.
    r.write(configText(m1, auth({ a: { sha256: a.sha256, monthlyBudgetUsd: 0.000001 }, b: { sha256: b.sha256, monthlyBudgetUsd: 5 } })));
    expect((await r.app.reloader?.reload("rpc"))?.applied).toBe(true);
    expect(await code()).toBe(Code.ResourceExhausted);
    expect((await keyedClient(r.address, b.key).complete(ask("m1"))).model).toBe("m1");
    r.write(configText(m1, auth({ a: { sha256: a.sha256, monthlyBudgetUsd: 100 }, b: { sha256: b.sha256, monthlyBudgetUsd: 5 } })));
    expect((await r.app.reloader?.reload("rpc"))?.changes.map((c) => `${c.path} ${c.fields.join()}`)).toEqual(["auth.keys.a monthlyBudgetUsd"]);
    expect(await code()).toBe(0);
  });

  it("answers FAILED_PRECONDITION when the gateway runs without a config file", async () => {
    const h = await startHarness(oneModel());
    try {
      const err = await h.grpc.reloadConfig({}).catch((e: unknown) => ConnectError.from(e));
      expect((err as ConnectError).code).toBe(Code.FailedPrecondition);
    } finally {
      await h.close();
    }
  });
});

/** The demo opens with traffic: its built-in load goes through the OpenAI door, and every call of it is in the ledger. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Dimension } from "../../gen/llmgateway/v1/cost_pb.js";
import { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";
import { buildApp } from "../../src/app/app.js";
import type { App } from "../../src/app/app.js";
import { startDemo } from "../../src/app/demo.js";
import type { Demo } from "../../src/app/demo.js";
import { demoCalls, runDemoTraffic } from "../../src/app/demo-traffic.js";
import { createLogger } from "../../src/telemetry/log.js";

let dir: string;
let demo: Demo;
let app: App;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gw-demo-traffic-"));
  demo = await startDemo("127.0.0.1:0", join(dir, "ledger.db"));
  app = await buildApp(demo.config, createLogger("error"));
  base = `http://127.0.0.1:${await app.listen(0)}`;
});
afterAll(async () => {
  await app?.close(1000);
  await demo?.simulator.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the demo's opening traffic", () => {
  it("sends chat, streams and embeddings over several models and teams, each recorded", async () => {
    const calls = demoCalls(30);
    expect(new Set(calls.map((c) => c.path)).size).toBe(2);
    expect(calls.some((c) => c.body["stream"] === true)).toBe(true);
    const answered = await runDemoTraffic(base, 30, 3);
    expect(answered).toBeGreaterThanOrEqual(27);
    const client = createClient(GatewayService, createConnectTransport({ baseUrl: base, httpVersion: "1.1" }));
    const report = await client.getCostReport({ tags: { source: "demo" }, groupBy: [Dimension.TAG], groupByTagKey: "team" });
    expect(Number(report.total?.requests)).toBe(30);
    expect(report.groups.map((g) => g.key["tag:team"] ?? g.key["team"]).sort()).toEqual(["research", "search", "support"]);
    const page = await fetch(`${base}/dashboard/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>LLM gateway: cost and health</title>");
  });
});

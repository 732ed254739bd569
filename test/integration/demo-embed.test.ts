/** The embedded demo serves embeddings: two embedding models behind the `embed` route, one vector size whichever serves. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";
import { ModelKind } from "../../gen/llmgateway/v1/models_pb.js";
import { buildApp } from "../../src/app/app.js";
import type { App } from "../../src/app/app.js";
import { startDemo } from "../../src/app/demo.js";
import type { Demo } from "../../src/app/demo.js";
import { createLogger } from "../../src/telemetry/log.js";

let dir: string;
let demo: Demo;
let app: App;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gw-demo-embed-"));
  demo = await startDemo("127.0.0.1:0", join(dir, "ledger.db"));
  app = await buildApp(demo.config, createLogger("error"));
  port = await app.listen(0);
});
afterAll(async () => {
  await app?.close(1000);
  await demo?.simulator.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the demo's embeddings", () => {
  it("lists the two embedding models and serves the embed route at 1536 dimensions", async () => {
    const client = createClient(GatewayService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }));
    const list = await client.listModels({});
    const embedding = list.models.filter((m) => m.kind === ModelKind.EMBEDDING).map((m) => [m.name, m.provider, m.pricing?.inputPerMtok?.decimal, m.dimensions]);
    expect(embedding).toEqual([
      ["text-embedding-3-small", "openai", "0.02", 1536],
      ["gemini-embedding-001", "google", "0.15", 1536],
    ]);
    expect(list.routes.find((r) => r.name === "embed")?.models).toEqual(["text-embedding-3-small", "gemini-embedding-001"]);
    for (let i = 0; i < 5; i++) {
      const res = await client.embed({ model: "embed", inputs: [`demo text ${i}`, "another"] });
      expect(res.embeddings.map((e) => e.values.length)).toEqual([1536, 1536]);
      expect(["text-embedding-3-small", "gemini-embedding-001"]).toContain(res.model);
    }
  });
});

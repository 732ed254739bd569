/** kill -9 under load loses no ledger record of an answered request; a restarted gateway reports them. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqlite } from "../../src/accounting/ledger/sqlite-driver.js";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import { startSimulator } from "../../src/sim/server.js";
import type { Simulator } from "../../src/sim/server.js";
import { spawnGateway } from "../helpers/process.js";

let dir: string;
let sim: Simulator;
let config: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gw-kill-"));
  sim = await startSimulator({ p: { kind: "openai", profile: { latencyMs: { min: 1, max: 5 } } } });
  config = join(dir, "gw.yaml");
  writeFileSync(
    config,
    [
      "listen: 127.0.0.1:0",
      `providers: { p: { kind: openai, baseUrl: "${sim.baseUrl("p")}" } }`,
      "models: { m: { provider: p, pricing: { inputPerMTok: 1, outputPerMTok: 1 } } }",
      `ledger: { path: "${join(dir, "ledger.db")}" }`,
      "auth: { enabled: false }",
    ].join("\n"),
  );
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("ledger durability", () => {
  it("keeps every answered request through kill -9, and a restarted gateway reports them", async () => {
    const gw = spawnGateway(["--config", config]);
    const client = createClient(GatewayService, createGrpcTransport({ baseUrl: `http://${await gw.address}` }));
    const answered: string[] = [];
    let stop = false;
    const worker = async (w: number): Promise<void> => {
      for (let i = 0; !stop && i < 10_000; i++) {
        try {
          const res = await client.complete({ model: "m", messages: [{ role: Role.USER, content: "hi" }], requestId: `w${w}-${i}` });
          answered.push(res.requestId);
        } catch {
          return; // the process is gone
        }
      }
    };
    const load = Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
    // Killed under load once enough calls were answered (a fixed delay counted fewer than 50 on a busy machine).
    for (let waited = 0; answered.length < 60 && waited < 15_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    gw.child.kill("SIGKILL");
    stop = true;
    await load;
    await gw.exited;
    expect(answered.length).toBeGreaterThan(50);

    const db = openSqlite(join(dir, "ledger.db"));
    const stored = new Set((db.prepare("SELECT request_id FROM ledger WHERE final = 1").all() as Array<{ request_id: string }>).map((r) => r.request_id));
    db.close();
    const missing = answered.filter((id) => !stored.has(id));
    expect(missing).toEqual([]);

    const again = spawnGateway(["--config", config]);
    try {
      const client2 = createClient(GatewayService, createGrpcTransport({ baseUrl: `http://${await again.address}` }));
      const report = await client2.getCostReport({});
      expect(report.total?.requests).toBeGreaterThanOrEqual(BigInt(answered.length));
    } finally {
      again.child.kill("SIGTERM");
      await again.exited;
    }
  });
});

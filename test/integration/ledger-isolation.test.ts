/**
 * A storage fault never takes the gateway down: the ledger's SQLite connections live in child processes, so the
 * gateway process holds no ledger file (nor its mapped -shm) at all, a SIGBUS of the writer (what a fault of the
 * mapped wal-index gives) ends only that child while requests flow, and a kill -9 of the gateway leaves no child.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import { keyHash, newClientKey } from "../../src/cli/keys.js";
import { startSimulator } from "../../src/sim/server.js";
import type { Simulator } from "../../src/sim/server.js";
import { spawnGateway } from "../helpers/process.js";
import { childrenOf, filesHeld, isRunning } from "../helpers/proc-tree.js";

const KEY = newClientKey();
const bearer = { headers: { authorization: `Bearer ${KEY}` } };

let dir: string;
let sim: Simulator;
let config: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gw-isolation-"));
  sim = await startSimulator({ p: { kind: "openai", profile: { latencyMs: { min: 1, max: 5 } } } });
  config = join(dir, "gw.yaml");
  // A budgeted key: the gateway loads this month's spend from the ledger at start.
  writeFileSync(
    config,
    [
      "listen: 127.0.0.1:0",
      `providers: { p: { kind: openai, baseUrl: "${sim.baseUrl("p")}" } }`,
      "models: { m: { provider: p, pricing: { inputPerMTok: 1, outputPerMTok: 1 } } }",
      `ledger: { path: "${join(dir, "ledger.db")}" }`,
      `auth: { keys: { ops: { sha256: "${keyHash(KEY)}", role: admin, monthlyBudgetUsd: 1000 } } }`,
    ].join("\n"),
  );
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (polling) until `done` holds, at most 15 s (a busy machine answers slowly). */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done() && waited < 15_000; waited += 20) await sleep(20);
}

/** The pid of the gateway's child running `script`, once there is one other than `not`. */
async function childRunning(gwPid: number, script: string, not?: number): Promise<number> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    const hit = childrenOf(gwPid).find((c) => c.cmdline.includes(script) && c.pid !== not && isRunning(c.pid));
    if (hit) return hit.pid;
    await sleep(20);
  }
  throw new Error(`no ${script} child of the gateway`);
}

describe("ledger isolation", () => {
  it("keeps serving through a SIGBUS of the ledger writer, and leaves no child behind when killed", async () => {
    const gw = spawnGateway(["--config", config]);
    const gwPid = gw.child.pid ?? 0;
    const address = await gw.address;
    const client = createClient(GatewayService, createGrpcTransport({ baseUrl: `http://${address}` }));
    const health = createClient(Health, createGrpcTransport({ baseUrl: `http://${address}` }));
    const ask = (i: string) => client.complete({ model: "m", messages: [{ role: Role.USER, content: "hi" }], requestId: i }, bearer);
    try {
      // The budgets were loaded and a report runs: in the children, never through a connection of the gateway's.
      await ask("first");
      await client.getCostReport({}, bearer);
      const writer = await childRunning(gwPid, "ledger-worker.js");
      const reader = await childRunning(gwPid, "report-worker.js");
      // No SQLite file in the gateway process; the spill journal (a plain appended file, no mapping) may be open.
      expect(filesHeld(gwPid, "ledger.db").filter((f) => !f.endsWith(".spill"))).toEqual([]);
      expect(filesHeld(writer, "ledger.db-shm")).not.toEqual([]);

      let stop = false;
      const answered: string[] = [];
      const failed: unknown[] = [];
      const caller = async (w: number): Promise<void> => {
        for (let i = 0; !stop; i++) {
          try {
            answered.push((await ask(`w${w}-${i}`)).requestId);
          } catch (err) {
            failed.push(err);
          }
        }
      };
      const load = Promise.all(Array.from({ length: 8 }, (_, w) => caller(w)));
      await until(() => answered.length >= 20);
      process.kill(writer, "SIGBUS");
      const killedAt = answered.length;
      await until(() => answered.length >= killedAt + 20);
      stop = true;
      await load;

      expect(gw.child.exitCode).toBeNull();
      expect(gw.child.signalCode).toBeNull();
      // Answers never wait on the ledger's fate: every call is answered, before, during and after the fault.
      expect(failed).toEqual([]);
      expect(answered.length).toBeGreaterThan(killedAt);
      expect((await health.check({ service: "" })).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
      expect((await ask("after")).requestId).toBe("after");
      const writer2 = await childRunning(gwPid, "ledger-worker.js", writer);
      expect(isRunning(writer)).toBe(false);
      // The writer's end is logged once; each request whose rows it took along is logged as not accounted.
      const lines = gw.stderr().split("\n");
      expect(lines.filter((line) => line.includes('"msg":"usage ledger error"') && line.includes("signal SIGBUS"))).toHaveLength(1);
      expect((await client.getCostReport({}, bearer)).total?.requests).toBeGreaterThan(0n);
      // No SQLite file in the gateway process; the spill journal (a plain appended file, no mapping) may be open.
      expect(filesHeld(gwPid, "ledger.db").filter((f) => !f.endsWith(".spill"))).toEqual([]);

      // kill -9 of the gateway: its children see their channel close and exit.
      gw.child.kill("SIGKILL");
      await gw.exited;
      for (let waited = 0; waited < 5_000 && (isRunning(writer2) || isRunning(reader)); waited += 50) await sleep(50);
      expect({ writer: isRunning(writer2), reader: isRunning(reader) }).toEqual({ writer: false, reader: false });
    } finally {
      if (gw.child.exitCode === null && gw.child.signalCode === null) gw.child.kill("SIGKILL");
      await gw.exited;
    }
  }, 60_000);
});

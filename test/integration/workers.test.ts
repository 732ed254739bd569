/** `serve --workers 2`: two processes on one port, limits shared out between them, a dead worker restarted, drained together. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import { openSqlite } from "../../src/accounting/ledger/sqlite-driver.js";
import { startSimulator } from "../../src/sim/server.js";
import type { Simulator } from "../../src/sim/server.js";
import { spawnGateway } from "../helpers/process.js";
import type { GatewayProcess } from "../helpers/process.js";
import { keyedClient, reloadYaml, testKey, within } from "../helpers/reload-config.js";

const ADMIN = testKey();
const LIMITED = testKey();
const FREE = testKey();
let dir: string;
let sim: Simulator;
let gw: GatewayProcess;
let address: string;
let ledgerPath: string;

const ask = { model: "m1", messages: [{ role: Role.USER, content: "hello" }] };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gw-workers-"));
  sim = await startSimulator({ sim: { kind: "openai" } });
  ledgerPath = join(dir, "ledger.db");
  const path = join(dir, "gateway.yaml");
  const yaml = reloadYaml({ baseUrl: sim.baseUrl("sim"), ledger: ledgerPath, models: { m1: { input: 1, output: 2 } }, keys: { ops: { key: ADMIN, role: "admin" }, free: { key: FREE } } });
  writeFileSync(path, yaml.replace("  keys:\n", `  keys:\n    limited: { sha256: "${LIMITED.sha256}", rpm: 10 }\n`));
  gw = spawnGateway(["--config", path, "--workers", "2"], { SIM_KEY: "sim-secret-key-1234" });
  address = await gw.address;
  await within(15_000, async () => listening() === 2);
}, 30_000);
afterAll(async () => {
  gw.child.kill("SIGKILL");
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** How many times a worker logged that it listens. */
function listening(): number {
  return gw.stderr().split("\n").filter((l) => l.includes('"msg":"gateway listening"')).length;
}

/** One call on a connection of its own (the group hands each new connection to the next worker); the request id or the code. */
async function call(key: string): Promise<string | Code> {
  try {
    return (await keyedClient(address, key).complete(ask, { timeoutMs: 5_000 })).requestId;
  } catch (err) {
    return ConnectError.from(err).code;
  }
}

/** The pids of the primary's worker processes. */
function workerPids(): number[] {
  const out = execFileSync("pgrep", ["-P", String(gw.child.pid)], { encoding: "utf8" });
  return out.split("\n").filter(Boolean).map(Number);
}

describe("serve --workers 2", () => {
  const answered: string[] = [];

  it("runs two workers on one port, each its share of a key's limit: rpm 10 lets 10 through in the minute, not 20", async () => {
    expect(gw.stderr()).toMatch(/"worker":0,"workers":2/);
    expect(gw.stderr()).toMatch(/"worker":1,"workers":2/);
    expect(workerPids()).toHaveLength(2);
    const results: Array<string | Code> = [];
    for (let i = 0; i < 20; i++) results.push(await call(LIMITED.key));
    const ok = results.filter((r): r is string => typeof r === "string");
    answered.push(...ok);
    // Each worker lets 5 through (its half of 10); connections alternate between them, so both spend theirs.
    expect(ok.length).toBeLessThanOrEqual(10);
    expect(ok.length).toBeGreaterThanOrEqual(5);
    expect(results.filter((r) => r === Code.ResourceExhausted)).toHaveLength(20 - ok.length);
  });

  it("restarts a worker killed with SIGKILL, and serves on meanwhile", async () => {
    const [victim] = workerPids();
    process.kill(victim ?? 0, "SIGKILL");
    const meanwhile: Array<string | Code> = [];
    for (let i = 0; i < 10; i++) meanwhile.push(await call(FREE.key));
    console.log("while a worker was dead:", meanwhile.map((r) => (typeof r === "string" ? "ok" : Code[r])).join(" "));
    answered.push(...meanwhile.filter((r): r is string => typeof r === "string"));
    // A connection node:cluster handed to the worker in the instant it died waits for the client's deadline; the rest are served.
    expect(meanwhile.filter((r) => typeof r === "string").length).toBeGreaterThanOrEqual(8);
    await within(15_000, async () => listening() === 3);
    expect(gw.stderr()).toMatch(/"msg":"worker died: restarting it"/);
    expect(workerPids()).toHaveLength(2);
    expect(workerPids()).not.toContain(victim);
    const after: Array<string | Code> = [];
    for (let i = 0; i < 6; i++) after.push(await call(FREE.key));
    expect(after.every((r) => typeof r === "string")).toBe(true);
    answered.push(...(after as string[]));
  }, 30_000);

  it("drains every worker on SIGTERM and exits 0, every answered request in the one ledger", async () => {
    gw.child.kill("SIGTERM");
    expect(await gw.exited).toBe(0);
    expect(gw.stderr().split("\n").filter((l) => l.includes('"msg":"stopped"'))).toHaveLength(2);
    const db = openSqlite(ledgerPath, { readonly: true });
    const ids = new Set((db.prepare("SELECT DISTINCT request_id FROM ledger WHERE outcome = 'succeeded'").pluck().all() as string[]));
    db.close();
    expect(answered.length).toBeGreaterThan(15);
    for (const id of answered) expect(ids.has(id)).toBe(true);
  }, 30_000);
});

describe("serve --workers, refused", () => {
  it("exits 2 naming the flag for a count that is not a whole number from 1 to 64", async () => {
    for (const bad of ["0", "65", "two"]) {
      const p = spawnGateway(["--workers", bad]);
      expect(await p.exited).toBe(2);
      expect(p.stderr()).toContain(`--workers: must be a whole number from 1 to 64, got "${bad}"`);
    }
  });

  it("checks the config once in the primary: an invalid file is one message and exit 2, no worker started", async () => {
    const path = join(dir, "bad.yaml");
    writeFileSync(path, "listen: 127.0.0.1:0\nmodels: {}\nbogus: 1\n");
    const p = spawnGateway(["--config", path, "--workers", "3"]);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toMatch(/bogus/);
    expect(p.stderr()).not.toContain("starting workers");
  });
});

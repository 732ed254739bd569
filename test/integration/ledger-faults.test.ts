/**
 * The ledger on a full or unwritable disk under load, against a running gateway (issue 14: 29,697 of 30,000 answers
 * had no ledger row). Every answered request has a row or a spilled row, replayed once the disk is back; a budget
 * holds on spilled spend; with neither the ledger nor the spill writable, requests are refused before any provider
 * call and health says NOT_SERVING until one recovers. Needs `mount` (root): skipped otherwise, required in CI.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import type { Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as Serving } from "../../gen/grpc/health/v1/health_pb.js";
import { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import { keyHash, newClientKey } from "../../src/cli/keys.js";
import { startSimulator } from "../../src/sim/server.js";
import type { Simulator } from "../../src/sim/server.js";
import { spawnGateway } from "../helpers/process.js";
import type { GatewayProcess } from "../helpers/process.js";
import { REQUIRE_ALL_CLIENTS } from "../helpers/tools.js";
import { canMount, fill, ledgerRows, spilledRows } from "../helpers/disk-faults.js";

const MOUNTABLE = canMount();
if (!MOUNTABLE && REQUIRE_ALL_CLIENTS) throw new Error("ledger-faults: mounting a tmpfs is required here (run the tests as root, as CI does)");
if (!MOUNTABLE) process.stderr.write("ledger-faults: SKIPPED: mounting a tmpfs needs root (REQUIRE_ALL_CLIENTS=1 makes this a failure)\n");

const LOAD = newClientKey();
const TINY = newClientKey();
/** $100 per million tokens: a request of about 20 tokens costs about $0.002; the tiny key may spend $0.01 a month. */
const TINY_BUDGET_PICOS = 10_000_000_000n;
const MAX_TOKENS = 16;

let base = "";
let sim: Simulator;
const mounts: string[] = [];
const gateways: GatewayProcess[] = [];

function mountTmpfs(dir: string, size: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]);
  mounts.push(dir);
}

function remount(dir: string, options: string): void {
  execFileSync("mount", ["-o", `remount,${options}`, dir]);
}

beforeAll(async () => {
  if (!MOUNTABLE) return;
  base = mkdtempSync(join(tmpdir(), "gw-ledger-faults-"));
  sim = await startSimulator({ p: { kind: "openai", profile: { latencyMs: { min: 1, max: 3 } } } });
});

afterAll(async () => {
  if (!MOUNTABLE) return;
  for (const gw of gateways) if (gw.child.exitCode === null && gw.child.signalCode === null) gw.child.kill("SIGKILL");
  await Promise.all(gateways.map((gw) => gw.exited));
  for (const dir of mounts.reverse()) {
    try {
      execFileSync("umount", [dir], { stdio: "ignore" });
    } catch {
      execFileSync("umount", ["-l", dir], { stdio: "ignore" });
    }
  }
  await sim?.close();
  rmSync(base, { recursive: true, force: true });
});

/** Starts a gateway whose ledger and spill are at the given paths; resolves with its clients. */
async function start(name: string, ledgerPath: string, spillPath: string) {
  const config = join(base, `${name}.yaml`);
  const yaml = [
    "listen: 127.0.0.1:0",
    `providers: { p: { kind: openai, baseUrl: "${sim.baseUrl("p")}" } }`,
    "models: { m: { provider: p, pricing: { inputPerMTok: 100, outputPerMTok: 100 } } }",
    `ledger: { path: "${ledgerPath}", spillPath: "${spillPath}" }`,
    `auth: { keys: { load: { sha256: "${keyHash(LOAD)}" }, tiny: { sha256: "${keyHash(TINY)}", monthlyBudgetUsd: 0.01 } } }`,
  ].join("\n");
  writeFileSync(config, yaml);
  const gw = spawnGateway(["--config", config]);
  gateways.push(gw);
  const transport = createGrpcTransport({ baseUrl: `http://${await gw.address}` });
  return { gw, client: createClient(GatewayService, transport), health: createClient(Health, transport) };
}

type GatewayClient = Client<typeof GatewayService>;

/** One completion of `key`; resolves with the answered request id, or rejects with the ConnectError. */
async function ask(client: GatewayClient, key: string, requestId: string): Promise<string> {
  const res = await client.complete(
    { model: "m", messages: [{ role: Role.USER, content: "hi" }], requestId, maxTokens: MAX_TOKENS },
    { headers: { authorization: `Bearer ${key}` } },
  );
  return res.requestId;
}

/** What a load run saw: ids answered, and failures by code. */
interface Load {
  readonly answered: string[];
  readonly failed: Map<Code, number>;
}

/** 16 concurrent callers until `stop()` (checked between calls) or `maxMs`. */
async function load(client: GatewayClient, prefix: string, stop: () => boolean, maxMs: number): Promise<Load> {
  const answered: string[] = [];
  const failed = new Map<Code, number>();
  const until = Date.now() + maxMs;
  const worker = async (w: number): Promise<void> => {
    for (let i = 0; !stop() && Date.now() < until; i++) {
      try {
        answered.push(await ask(client, LOAD, `${prefix}-${w}-${i}`));
      } catch (err) {
        const code = ConnectError.from(err).code;
        failed.set(code, (failed.get(code) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
  return { answered, failed };
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const logged = (gw: GatewayProcess, msg: string): number => gw.stderr().split("\n").filter((l) => l.includes(`"msg":"${msg}`)).length;

async function status(health: Client<typeof Health>): Promise<Serving> {
  return (await health.check({ service: GatewayService.typeName })).status;
}

describe.skipIf(!MOUNTABLE)("ledger on a failing disk", () => {
  it("spills every answer once the ledger's disk is full, keeps serving and the budget, then replays each exactly once", async () => {
    const ledgerDir = join(base, "full-ledger");
    const spillDir = join(base, "full-spill");
    mkdirSync(spillDir);
    mountTmpfs(ledgerDir, "1m");
    const ledgerPath = join(ledgerDir, "ledger.db");
    const spillPath = join(spillDir, "ledger.db.spill");
    const { gw, client, health } = await start("full", ledgerPath, spillPath);

    // Load until the tmpfs is full and the gateway has been spilling for two seconds; health is sampled meanwhile.
    let spillingSince = 0;
    let loading = true;
    const seen = new Set<Serving>();
    const watch = (async () => {
      while (loading) {
        if (spillingSince === 0 && logged(gw, "usage ledger failed: spilling to") > 0) spillingSince = Date.now();
        if (spillingSince > 0) seen.add(await status(health));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const run = await load(client, "full", () => spillingSince > 0 && Date.now() - spillingSince > 2_000, 40_000);
    loading = false;
    await watch;
    expect(logged(gw, `usage ledger failed: spilling to ${spillPath}`)).toBe(1);
    expect(run.failed).toEqual(new Map());
    expect([...seen]).toEqual([Serving.SERVING]);
    expect(statSync(spillPath).size).toBeGreaterThan(0);

    // The tiny key spends its budget while its rows go only to the spill, and is refused from then on.
    let answeredTiny = 0;
    let refusal: ConnectError | undefined;
    for (let i = 0; i < 50 && !refusal; i++) {
      try {
        await ask(client, TINY, `tiny-${i}`);
        answeredTiny++;
      } catch (err) {
        refusal = ConnectError.from(err);
      }
    }
    expect(refusal?.code).toBe(Code.ResourceExhausted);
    for (let i = 0; i < 3; i++) expect(ConnectError.from(await ask(client, TINY, `tiny-again-${i}`).catch((e: unknown) => e)).code).toBe(Code.ResourceExhausted);
    expect(answeredTiny).toBeGreaterThan(0);
    expect(logged(gw, "usage ledger recovered")).toBe(0); // still spilling: the spend was counted from spilled rows

    // Every answer has its rows in the ledger or the spill.
    const stored = ledgerRows(ledgerPath);
    const spilled = await spilledRows(spillPath);
    const spilledFinal = new Set(spilled.filter((r) => r.request !== undefined).map((r) => r.requestId));
    const missing = run.answered.filter((id) => !stored.has(id) && !spilledFinal.has(id));
    expect(missing).toEqual([]);
    expect(spilledFinal.size).toBeGreaterThan(0);
    const tinyRows = spilled.filter((r) => r.clientKey === "tiny");
    const tinySpent = tinyRows.reduce((sum, r) => sum + r.costPicos, 0n);
    const dearest = tinyRows.reduce((max, r) => (r.costPicos > max ? r.costPicos : max), 0n);
    expect(tinySpent).toBeGreaterThanOrEqual(TINY_BUDGET_PICOS);
    expect(tinySpent).toBeLessThan(TINY_BUDGET_PICOS + dearest);

    // Room again: the spill is replayed into the ledger, each answered request exactly once, then emptied.
    remount(ledgerDir, "size=64m");
    await waitFor("the ledger's recovery", () => logged(gw, "usage ledger recovered") > 0, 20_000);
    expect(statSync(spillPath).size).toBe(0);
    const after = ledgerRows(ledgerPath);
    const wrong = run.answered.filter((id) => {
      const [finals, rows] = after.get(id) ?? [0, 0];
      return finals !== 1 || rows !== 1;
    });
    expect(wrong).toEqual([]);
    expect(after.get("tiny-0")).toEqual([1, 1]);
    expect(await status(health)).toBe(Serving.SERVING);
    expect(ConnectError.from(await ask(client, TINY, "tiny-after").catch((e: unknown) => e)).code).toBe(Code.ResourceExhausted);
    gw.child.kill("SIGTERM");
    expect(await gw.exited).toBe(0);
  }, 120_000);

  it("refuses requests before any provider call while neither the ledger nor the spill can write, NOT_SERVING, and recovers", async () => {
    const ledgerDir = join(base, "down-ledger");
    const spillDir = join(base, "down-spill");
    mountTmpfs(ledgerDir, "8m");
    mountTmpfs(spillDir, "1m");
    const ledgerPath = join(ledgerDir, "ledger.db");
    const spillPath = join(spillDir, "ledger.db.spill");
    const { gw, client, health } = await start("down", ledgerPath, spillPath);
    const before = await load(client, "before", () => false, 500);
    expect(before.failed).toEqual(new Map());

    // The spill's disk read-only (nothing is open on it while the ledger is fine), the ledger's disk full.
    remount(spillDir, "ro");
    const filler = fill(ledgerDir);
    const during = await load(client, "during", () => logged(gw, "usage ledger and spill both failed: refusing requests") > 0, 30_000);
    expect(logged(gw, "usage ledger and spill both failed: refusing requests")).toBe(1);
    await waitFor("NOT_SERVING", async () => (await status(health)) === Serving.NOT_SERVING, 5_000);

    // Refused with UNAVAILABLE before any provider call.
    const calls = sim.tally("p").requests;
    for (let i = 0; i < 10; i++) {
      const err = ConnectError.from(await ask(client, LOAD, `refused-${i}`).catch((e: unknown) => e));
      expect(err.code).toBe(Code.Unavailable);
    }
    expect(sim.tally("p").requests).toBe(calls);
    expect(logged(gw, "usage ledger and spill both failed: refusing requests")).toBe(1); // once, not per request

    // The spill's disk writable again: serving (rows spilled); then the ledger's disk has room: replayed, ok.
    remount(spillDir, "rw");
    await waitFor("SERVING with the spill back", async () => (await status(health)) === Serving.SERVING, 10_000);
    const spilling = await load(client, "spilling", () => false, 500);
    expect(spilling.failed).toEqual(new Map());
    expect(statSync(spillPath).size).toBeGreaterThan(0);
    rmSync(filler);
    await waitFor("the ledger's recovery", () => logged(gw, "usage ledger recovered") > 0, 20_000);
    expect(statSync(spillPath).size).toBe(0);
    const after = ledgerRows(ledgerPath);
    const answered = [...before.answered, ...during.answered, ...spilling.answered];
    const wrong = answered.filter((id) => {
      const [finals, rows] = after.get(id) ?? [0, 0];
      return finals !== 1 || rows !== 1;
    });
    expect(wrong).toEqual([]);
    expect(await ask(client, LOAD, "after")).toBe("after");
    gw.child.kill("SIGTERM");
    expect(await gw.exited).toBe(0);
  }, 120_000);
});

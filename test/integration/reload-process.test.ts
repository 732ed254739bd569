/** Live config reload of a real gateway process: the file watch, SIGHUP and the `reload` CLI, under load. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import { HealthCheckResponse_ServingStatus as Status } from "../../gen/grpc/health/v1/health_pb.js";
import { startSimulator } from "../../src/sim/server.js";
import type { Simulator } from "../../src/sim/server.js";
import { spawnGateway } from "../helpers/process.js";
import type { GatewayProcess } from "../helpers/process.js";
import { healthClient, keyedClient, reloadYaml, testKey, within, writeAtomic } from "../helpers/reload-config.js";
import type { ReloadDoc } from "../helpers/reload-config.js";

const ADMIN = testKey();
const ALICE = testKey();
const BOB = testKey();
const ENV = { SIM_KEY: "sim-secret-key-1234" };
let dir: string;
let sim: Simulator;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gw-reload-"));
  sim = await startSimulator({ sim: { kind: "openai", profile: { chunkDelayMs: 5 } } });
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

function doc(name: string, patch: Partial<ReloadDoc> = {}): ReloadDoc {
  return {
    baseUrl: sim.baseUrl("sim"),
    ledger: join(dir, `${name}.db`),
    models: { m1: { input: 1, output: 2 } },
    keys: { ops: { key: ADMIN, role: "admin" }, alice: { key: ALICE } },
    ...patch,
  };
}

const ask = { model: "m1", messages: [{ role: Role.USER, content: "hello" }] };

/** The gRPC code of a call with `key` (0 for OK). */
async function codeOf(address: string, key: string): Promise<Code | 0> {
  try {
    await keyedClient(address, key).complete(ask);
    return 0;
  } catch (err) {
    return ConnectError.from(err).code;
  }
}

async function stop(gw: GatewayProcess): Promise<void> {
  gw.child.kill("SIGTERM");
  await gw.exited;
}

/** Runs the CLI; resolves with its exit code and output. */
function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["dist/src/main.js", ...args], { timeout: 15_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("reload by watching the file", () => {
  let gw: GatewayProcess;
  let address: string;
  let path: string;
  beforeAll(async () => {
    path = join(dir, "watched.yaml");
    writeFileSync(path, reloadYaml(doc("watched")));
    gw = spawnGateway(["--config", path], ENV);
    address = await gw.address;
  });
  afterAll(() => stop(gw));

  it("serves a key added to the file within a second of the write (an editor's rename)", async () => {
    expect(await codeOf(address, BOB.key)).toBe(Code.Unauthenticated);
    writeAtomic(path, reloadYaml(doc("watched", { keys: { ops: { key: ADMIN, role: "admin" }, alice: { key: ALICE }, bob: { key: BOB } } })));
    const ms = await within(1_000, async () => (await codeOf(address, BOB.key)) === 0);
    expect(ms).toBeLessThan(1_000);
    expect(gw.stderr()).toContain("auth.keys.bob added");
  });

  it("refuses a revoked key with UNAUTHENTICATED from the next request on (a write in place)", async () => {
    writeFileSync(path, reloadYaml(doc("watched")));
    await within(1_000, async () => (await codeOf(address, BOB.key)) === Code.Unauthenticated);
    for (let i = 0; i < 5; i++) expect(await codeOf(address, BOB.key)).toBe(Code.Unauthenticated);
    expect(await codeOf(address, ALICE.key)).toBe(0);
  });

  it("keeps the old config serving on an invalid file and reports every problem in the log and the health check", async () => {
    const health = healthClient(address);
    const bad = reloadYaml(doc("watched", { models: { m1: { input: 1, output: -2 } } })) + "\nroutes:\n  r: { strategy: ordered, models: [nope] }\n";
    writeAtomic(path, bad);
    await within(2_000, async () => gw.stderr().includes("config reload refused"));
    const line = gw.stderr().split("\n").find((l) => l.includes("config reload refused")) ?? "";
    expect(line).toContain("models.m1.pricing.outputPerMTok");
    expect(line).toContain("routes.r.models[0]");
    expect((await health.check({ service: "llmgateway.config" })).status).toBe(Status.NOT_SERVING);
    expect((await health.check({ service: "" })).status).toBe(Status.SERVING);
    expect(await codeOf(address, ALICE.key)).toBe(0);
    writeAtomic(path, reloadYaml(doc("watched")));
    await within(2_000, async () => (await health.check({ service: "llmgateway.config" })).status === Status.SERVING);
  });

  it("refuses a change of the listen address, naming the field, and keeps serving", async () => {
    const before = gw.stderr().length;
    writeAtomic(path, reloadYaml(doc("watched", { listen: "127.0.0.1:1", models: { m1: { input: 5, output: 5 } } })));
    await within(2_000, async () => gw.stderr().slice(before).includes("config reload refused"));
    expect(gw.stderr().slice(before)).toContain("listen: cannot change while running");
    // Refused whole: the price change in the same file did not apply either.
    const res = await keyedClient(address, ALICE.key).complete(ask);
    expect(res.cost?.decimal).toBe(expectedCost(res.usage?.inputTokens ?? 0n, res.usage?.outputTokens ?? 0n, 1, 2));
    writeAtomic(path, reloadYaml(doc("watched")));
  });

  it("fails no request while the file changes many times under load", async () => {
    let stopLoad = false;
    const failures: string[] = [];
    let done = 0;
    const worker = async (stream: boolean): Promise<void> => {
      const client = keyedClient(address, ALICE.key);
      while (!stopLoad) {
        try {
          if (stream) for await (const _ of client.streamComplete({ request: ask })) void _;
          else await client.complete(ask);
          done++;
        } catch (err) {
          failures.push(ConnectError.from(err).message);
        }
      }
    };
    const load = [worker(false), worker(false), worker(true), worker(true)];
    const versions: ReloadDoc[] = [
      doc("watched", { models: { m1: { input: 2, output: 3 } } }),
      doc("watched", { models: { m1: { input: 2, output: 3 }, m2: { input: 1, output: 1 } } }),
      doc("watched", { keys: { ops: { key: ADMIN, role: "admin" }, alice: { key: ALICE }, bob: { key: BOB } } }),
      doc("watched", { extra: "breaker: { consecutiveFailures: 7 }" }),
      doc("watched"),
    ];
    const before = (gw.stderr().match(/"msg":"config reloaded"/g) ?? []).length;
    for (const v of versions) {
      writeAtomic(path, reloadYaml(v));
      await new Promise((r) => setTimeout(r, 400));
    }
    stopLoad = true;
    await Promise.all(load);
    expect(failures).toEqual([]);
    expect(done).toBeGreaterThan(20);
    expect((gw.stderr().match(/"msg":"config reloaded"/g) ?? []).length - before).toBeGreaterThanOrEqual(versions.length);
  });
});

describe("reload on SIGHUP and by the CLI", () => {
  let gw: GatewayProcess;
  let address: string;
  let path: string;
  beforeAll(async () => {
    path = join(dir, "manual.yaml");
    writeFileSync(path, reloadYaml(doc("manual")));
    gw = spawnGateway(["--config", path], { ...ENV, GATEWAY_WATCH_CONFIG: "false" });
    address = await gw.address;
  });
  afterAll(() => stop(gw));

  it("applies the file on SIGHUP (and not before: the watch is off here)", async () => {
    writeFileSync(path, reloadYaml(doc("manual", { keys: { ops: { key: ADMIN, role: "admin" }, alice: { key: ALICE }, bob: { key: BOB } } })));
    await new Promise((r) => setTimeout(r, 400));
    expect(await codeOf(address, BOB.key)).toBe(Code.Unauthenticated);
    gw.child.kill("SIGHUP");
    await within(1_000, async () => (await codeOf(address, BOB.key)) === 0);
    expect(gw.stderr()).toContain('"trigger":"signal"');
  });

  it("reloads through `reload` with an admin key, printing what changed; a user key is PERMISSION_DENIED", async () => {
    writeFileSync(path, reloadYaml(doc("manual", { models: { m1: { input: 1, output: 2 }, m2: { input: 3, output: 4 } } })));
    const denied = await cli(["reload", "--addr", address, "--key", ALICE.key]);
    expect(denied.code).toBe(2);
    expect(denied.stderr).toContain("PermissionDenied");
    const ok = await cli(["reload", "--addr", address, "--key", ADMIN.key]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("models.m2 added");
    expect(ok.stdout).toContain("auth.keys.bob removed");
    expect(await codeOf(address, BOB.key)).toBe(Code.Unauthenticated);
    const res = await keyedClient(address, ALICE.key).complete({ ...ask, model: "m2" });
    expect(res.model).toBe("m2");
  });

  it("answers every problem of an invalid file by its path, exit 1, and keeps the old config", async () => {
    writeFileSync(path, reloadYaml(doc("manual", { listen: "127.0.0.1:2", models: { m1: { input: -1, output: 2 } } })));
    const refused = await cli(["reload", "--addr", address, "--key", ADMIN.key]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("refused");
    expect(refused.stdout).toContain("models.m1.pricing.inputPerMTok");
    const res = await keyedClient(address, ALICE.key).complete({ ...ask, model: "m2" });
    expect(res.model).toBe("m2");
    // Valid, but with a listen change: named, refused whole.
    writeFileSync(path, reloadYaml(doc("manual", { listen: "127.0.0.1:2" })));
    const listen = await cli(["reload", "--addr", address, "--key", ADMIN.key]);
    expect(listen.code).toBe(1);
    expect(listen.stdout).toMatch(/listen: cannot change while running/);
    expect(await codeOf(address, ALICE.key)).toBe(0);
  });
});

/** The decimal cost of a request at the given prices per MTok. */
function expectedCost(input: bigint, output: bigint, inPerM: number, outPerM: number): string {
  const picos = input * BigInt(inPerM) * 1_000_000n + output * BigInt(outPerM) * 1_000_000n;
  const s = picos.toString().padStart(13, "0");
  return `${s.slice(0, -12)}.${s.slice(-12)}`.replace(/0+$/, "").replace(/\.$/, "");
}

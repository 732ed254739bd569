/**
 * Three suite.replicas under load through the failures the issue names: one killed with SIGKILL, Redis restarted, PostgreSQL
 * stopped for 30 s. Afterwards no answered request is missing from the shared ledger and no other process ended.
 */
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { healthClient, within } from "../helpers/reload-config.js";
import { HealthCheckResponse_ServingStatus as Status } from "../../gen/grpc/health/v1/health_pb.js";
import { KEYS, callReplica, inLedger, loadReplicas, replicaSuite, restartReplica } from "../helpers/replicas.js";
import type { CallResult, Replica } from "../helpers/replicas.js";
import { hasSharedServices } from "../helpers/tools.js";

const suite = replicaSuite({ sim: { latencyMs: { min: 2, max: 10 } } });

const answered = (rs: readonly CallResult[]): string[] => rs.flatMap((r) => (r.ok ? [r.requestId] : []));
const alive = (r: Replica): boolean => r.proc.child.exitCode === null && r.proc.child.signalCode === null;
/** The replica's health of its shared state (service llmgateway.state). */
const stateHealth = async (r: Replica): Promise<Status> => (await healthClient(r.address).check({ service: "llmgateway.state" })).status;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until the shared ledger holds every one of `ids` (rows spilled meanwhile are replayed by their replica). */
async function allInLedger(ids: readonly string[], timeoutMs: number): Promise<void> {
  await within(timeoutMs, async () => (await inLedger(suite.pg.url, ids)).size === ids.length);
}

describe.skipIf(!hasSharedServices())("suite.replicas under faults", () => {
  it("loses no answered request when one replica is killed with SIGKILL under load", async () => {
    const t0 = Date.now();
    const load = loadReplicas(suite.replicas, KEYS.free, 6, () => Date.now() - t0 > 3_000);
    await sleep(1_500);
    suite.replicas[2]?.proc.child.kill("SIGKILL");
    const results = await load;
    const othersAlive = alive(suite.replicas[0] as Replica) && alive(suite.replicas[1] as Replica);
    // Started again before anything is asserted, so that the next tests have three suite.replicas whatever happens here.
    await restartReplica(suite.setup, suite.replicas[2] as Replica);
    expect(othersAlive).toBe(true);
    const ids = answered(results);
    expect(ids.length).toBeGreaterThan(20);
    // Calls to the killed replica failed as a client sees a dead server: none of them is counted as answered.
    expect(results.some((r) => !r.ok && r.code === Code.Unavailable)).toBe(true);
    await allInLedger(ids, 15_000);
  }, 60_000);

  it("keeps serving through a Redis restart: limits on a local share, budgets refused, shared again by itself after", async () => {
    const t0 = Date.now();
    const free = loadReplicas(suite.replicas, KEYS.roomy, 4, () => Date.now() - t0 > 5_000);
    await sleep(1_000);
    await suite.redis.stop();
    await sleep(500);
    const duringBudget = await callReplica(suite.replicas[0] as Replica, KEYS.budgeted);
    const duringLimited = await callReplica(suite.replicas[1] as Replica, KEYS.roomy);
    const duringHealth = await stateHealth(suite.replicas[1] as Replica);
    await sleep(1_000);
    await suite.redis.start();
    const results = await free;
    expect(duringBudget).toMatchObject({ ok: false, code: Code.Unavailable });
    expect(duringLimited.ok).toBe(true);
    expect(duringHealth).toBe(Status.NOT_SERVING);
    expect(suite.replicas.every(alive)).toBe(true);
    // Shared again: a budgeted call goes through once Redis answers (spend seeded anew from the ledger).
    await within(15_000, async () => (await callReplica(suite.replicas[2] as Replica, KEYS.budgeted)).ok);
    await within(5_000, async () => (await stateHealth(suite.replicas[1] as Replica)) === Status.SERVING);
    const ids = answered(results);
    expect(ids.length).toBeGreaterThan(20);
    await allInLedger(ids, 15_000);
    // Logged once per outage and once at recovery, by every replica that used the shared state meanwhile.
    for (const r of suite.replicas) {
      const lines = r.proc.stderr().split("\n");
      expect(lines.filter((l) => l.includes('"msg":"shared state unavailable')).length).toBeLessThanOrEqual(1);
      expect(lines.filter((l) => l.includes('"msg":"shared state available again')).length).toBeLessThanOrEqual(1);
    }
    const told = suite.replicas.filter((r) => r.proc.stderr().includes('"msg":"shared state unavailable'));
    expect(told.length).toBeGreaterThanOrEqual(2);
    for (const r of told) expect(r.proc.stderr()).toContain('"msg":"shared state available again');
  }, 60_000);

  it("keeps answering while PostgreSQL is stopped for 30 s, and every answered row reaches it once it is back", async () => {
    const t0 = Date.now();
    const load = loadReplicas(suite.replicas, KEYS.free, 3, () => Date.now() - t0 > 34_000);
    await sleep(2_000);
    await suite.pg.stop();
    await sleep(30_000);
    await suite.pg.start();
    const results = await load;
    expect(suite.replicas.every(alive)).toBe(true);
    const during = results.filter((r) => r.ok);
    expect(during.length).toBeGreaterThan(50);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    // The rows of the outage waited in the replicas' spill journals and were replayed.
    expect(suite.replicas.filter((r) => r.proc.stderr().includes("usage ledger failed: spilling")).length).toBe(3);
    await allInLedger(answered(results), 30_000);
  }, 120_000);
});

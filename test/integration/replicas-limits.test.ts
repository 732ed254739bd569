/**
 * Three gateway processes sharing one redis-server and one PostgreSQL: a key's rpm, a key's budget and a deployment's
 * rpm (configured, and from the provider's own headers) hold for the three together; any replica's report equals
 * the provider's tally over all three.
 */
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { keyedClient } from "../helpers/reload-config.js";
import { BUDGET_USD, KEYS, WORST_USD, callReplica, loadReplicas, replicaSuite } from "../helpers/replicas.js";
import type { CallResult, Replica } from "../helpers/replicas.js";
import { hasSharedServices } from "../helpers/tools.js";

const suite = replicaSuite({ capped: { rpm: 30 } });

/** A Money in pico-dollars. */
const picosOf = (m: { units: bigint; picoUnits: bigint } | undefined): bigint => (m ? m.units * 1_000_000_000_000n + m.picoUnits : 0n);

const okCount = (rs: readonly CallResult[]): number => rs.filter((r) => r.ok).length;

describe.skipIf(!hasSharedServices())("limits shared by three replicas", () => {
  it("lets a key with rpm 60 through 60 times in its minute over the three, not 180", async () => {
    const t0 = performance.now();
    let sent = 0;
    const results = await loadReplicas(suite.replicas, KEYS.limited, 6, () => ++sent > 180);
    const seconds = (performance.now() - t0) / 1000;
    // A token bucket of 60 per minute refills one a second while the test runs.
    expect(okCount(results)).toBeGreaterThanOrEqual(60);
    expect(okCount(results)).toBeLessThanOrEqual(60 + Math.ceil(seconds) + 1);
    const refused = results.filter((r) => !r.ok);
    expect(refused.every((r) => !r.ok && r.code === Code.ResourceExhausted && /over its limit of 60 requests per minute/.test(r.message))).toBe(true);
  }, 60_000);

  it("stops a key with a small monthly budget within one request's worst case per replica", async () => {
    const results: CallResult[] = [];
    for (let i = 0; i < 300 && results.filter((r) => !r.ok).length < 6; i++) results.push(await callReplica(suite.replicas[i % 3] as Replica, KEYS.budgeted));
    const refusals = results.filter((r): r is Extract<CallResult, { ok: false }> => !r.ok);
    expect(refusals.length).toBeGreaterThanOrEqual(6);
    for (const r of refusals) expect([r.code, r.message]).toEqual([Code.ResourceExhausted, expect.stringMatching(/monthly budget key:budgeted is spent/)]);
    const report = await keyedClient(suite.replicas[0]?.address ?? "", KEYS.admin.key).getCostReport({ clientKeys: ["budgeted"] });
    const spentUsd = Number(picosOf(report.total?.cost)) / 1e12;
    expect(spentUsd).toBeGreaterThan(BUDGET_USD * 0.5);
    // Worst case of one request: its prompt estimate and max_tokens at the model's price; three suite.replicas at most.
    expect(spentUsd).toBeLessThanOrEqual(BUDGET_USD + 3 * WORST_USD);
  }, 60_000);

  it("honours a deployment's configured rpm over the three: 30 provider calls in the minute, not 90", async () => {
    const before = suite.sim.tally("sim").requests;
    let sent = 0;
    const results = await loadReplicas(suite.replicas, KEYS.free, 3, () => ++sent > 90, "m-rpm");
    const called = suite.sim.tally("sim").requests - before;
    expect(okCount(results)).toBe(called);
    expect(called).toBeGreaterThanOrEqual(30);
    expect(called).toBeLessThanOrEqual(33);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.code === Code.ResourceExhausted)).toBe(true);
  }, 60_000);

  it("honours a provider's rpm from its headers over the three: once one replica hears 'none left', none calls", async () => {
    let sent = 0;
    const results = await loadReplicas(suite.replicas, KEYS.free, 1, () => ++sent > 60, "m-capped");
    expect(okCount(results)).toBe(30);
    // Without sharing, each replica would find out with a 429 of its own.
    expect(suite.sim.tally("capped").rateLimited).toBeLessThanOrEqual(1);
  }, 60_000);

  it("keeps breakers per process: each replica pays its own few failed calls to learn a provider is down", async () => {
    let sent = 0;
    const results = await loadReplicas(suite.replicas, KEYS.free, 1, () => ++sent > 60, "chain");
    expect(okCount(results)).toBe(60);
    const calls = suite.sim.tally("gone").requests;
    console.log(`breakers per process: ${calls} calls to the down provider over 60 requests on 3 suite.replicas (one shared breaker: 3)`);
    // Three consecutive failures open a replica's breaker; no replica calls it after that within the cooldown.
    expect(calls).toBe(9);
  }, 60_000);

  it("reports, from any replica, what the provider's tally says over all three, token for token", async () => {
    const tally = [suite.sim.tally("sim"), suite.sim.tally("capped"), suite.sim.tally("gone")];
    const input = tally.reduce((n, t) => n + t.inputTokens, 0);
    const output = tally.reduce((n, t) => n + t.outputTokens, 0);
    for (const r of suite.replicas) {
      const report = await keyedClient(r.address, KEYS.admin.key).getCostReport({});
      expect([Number(report.total?.inputTokens), Number(report.total?.outputTokens)]).toEqual([input, output]);
      // Every model is priced 100 / 400 dollars per million tokens (1e8 / 4e8 pico-dollars a token): exact from the tally.
      expect(picosOf(report.total?.cost)).toBe(BigInt(input) * 100_000_000n + BigInt(output) * 400_000_000n);
    }
  }, 60_000);
});

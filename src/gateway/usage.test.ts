/** The ledger rows of requests the gateway ends without a provider attempt: counted under what the client asked for. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Ledger } from "../accounting/ledger/ledger.js";
import { SqliteLedgerStore } from "../accounting/ledger/sqlite-ledger.js";
import { buildCostReport } from "../accounting/report/report.js";
import type { CostReportGroup } from "../accounting/report/report.js";
import type { GatewayConfig } from "../config/schema.js";
import type { Logger } from "../telemetry/log.js";
import { Gateway } from "./gateway.js";
import type { GatewayDeps } from "./gateway.js";
import { ledgerRecorder } from "./usage.js";
import { FakeAdapter } from "../../test/helpers/fake-adapter.js";
import { configFor, context, cycle, fakeClock, request } from "../../test/helpers/gateway-fixture.js";

const T0 = Date.UTC(2026, 10, 10);
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const QUIET: Logger = { log: () => undefined };

/** A gateway over models a and b (route r) whose providers always fail, writing to an in-memory ledger. */
function withLedger(config: GatewayConfig, extra: Partial<GatewayDeps> = {}): { gateway: Gateway; ledger: Ledger } {
  const ledger = new Ledger(SqliteLedgerStore.open({ path: ":memory:", now: () => T0 }));
  const adapters = new Map([...config.models.values()].map((m) => [m.provider, new FakeAdapter(m.provider, { fail: "network" })] as const));
  const gateway = new Gateway({ config, adapters, clock: fakeClock, random: cycle(0.5), usage: ledgerRecorder(ledger, QUIET), ...extra });
  return { gateway, ledger };
}

/** Ends the call, answered or refused, while fake time runs. */
async function ended(p: Promise<unknown>): Promise<void> {
  const done = p.then(
    () => undefined,
    () => undefined,
  );
  await vi.advanceTimersByTimeAsync(10); // less than the breakers' first cooldown (1 s)
  await done;
}

async function byModel(ledger: Ledger): Promise<Record<string, Pick<CostReportGroup, "requests" | "failures" | "attempts">>> {
  const query = { startMs: T0 - 1, endMs: T0 + 86_400_000, models: [], providers: [], clientKeys: [], tags: {}, groupBy: ["model" as const], tagKey: undefined };
  const report = await buildCostReport(ledger, query, undefined);
  return Object.fromEntries(report.groups.map((g) => [g.key["model"] ?? "?", { requests: g.requests, failures: g.failures, attempts: g.attempts }]));
}

describe("requests without attempts in the ledger", () => {
  const config = configFor(
    { a: {}, b: {} },
    { routes: { r: { strategy: "ordered", models: ["a", "b"] } }, breaker: { consecutiveFailures: 1, cooldownMs: 60_000, minRequests: 1 }, failover: { maxAttempts: 2, maxWaitMs: 100 } },
  );

  it("counts a request refused because every candidate's breaker is open under the route it asked for", async () => {
    const { gateway, ledger } = withLedger(config);
    await ended(gateway.complete(request("r"), context()));
    expect(gateway.health("a")).toBe("unhealthy");
    expect(gateway.health("b")).toBe("unhealthy");
    await ended(gateway.complete(request("r", "again", { requestId: "req-2" }), context()));
    expect(await byModel(ledger)).toEqual({
      a: { requests: 0n, failures: 0n, attempts: 1n },
      b: { requests: 1n, failures: 1n, attempts: 1n },
      r: { requests: 1n, failures: 1n, attempts: 0n },
    });
    await ledger.close();
  });

  it("counts a refusal at admission under the model it asked for, and a name the catalogue does not know under none", async () => {
    const spent = { ok: false as const, scope: "all", spentPicos: 2n, budgetPicos: 1n, resetsAt: T0 + 86_400_000 };
    const { gateway, ledger } = withLedger(config, { budgets: { reserve: () => spent, release: () => undefined } });
    await ended(gateway.complete(request("a"), context()));
    await ended(gateway.complete(request("no-such-model", "x", { requestId: "req-2" }), context()));
    expect(await byModel(ledger)).toEqual({
      a: { requests: 1n, failures: 1n, attempts: 0n },
      "": { requests: 1n, failures: 1n, attempts: 0n },
    });
    await ledger.close();
  });
});

/** Admission in the core: a key's allow-list, limits and budget, before planning; refusals end like any request. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ClientKeyConfig } from "../../config/auth.js";
import { Gateway } from "../gateway.js";
import { LEDGER_DOWN } from "./admission.js";
import type { RequestEnd } from "../observer.js";
import { GatewayError } from "../types.js";
import type { CallContext } from "../types.js";
import { Scope } from "../scope.js";
import { FakeAdapter } from "../../../test/helpers/fake-adapter.js";
import { configFor, cycle, fakeClock, request } from "../../../test/helpers/gateway-fixture.js";

const T0 = 1_000_000;
beforeEach(() => vi.useFakeTimers({ now: T0 }));
afterEach(() => vi.useRealTimers());

function key(fields: Partial<ClientKeyConfig> = {}): ClientKeyConfig {
  return { id: "team", sha256: Buffer.alloc(32), role: "user", allow: undefined, rpm: undefined, tpm: undefined, monthlyBudgetPicos: undefined, tags: { team: "search" }, ...fields };
}

function as(principal: ClientKeyConfig): CallContext {
  return { scope: new Scope(), principal };
}

/** A gateway over models a and b, with every ended request kept; `ready` says whether the ledger can record. */
function gatewayWith(budgetSpent = false, ready?: () => boolean): { gateway: Gateway; ends: RequestEnd[]; calls: () => number } {
  const config = configFor({ a: {}, b: {} }, { routes: { r: { strategy: "ordered", models: ["a", "b"] } } });
  const fakes = [new FakeAdapter("p-a", { ok: "from a" }), new FakeAdapter("p-b", { ok: "from b" })];
  const ends: RequestEnd[] = [];
  const budgets = {
    reserve: () =>
      budgetSpent ? { ok: false as const, scope: "key:team", spentPicos: 1_234_567n, budgetPicos: 1_000_000n, resetsAt: Date.UTC(2027, 0, 1) } : { ok: true as const, reservation: undefined },
    release: () => undefined,
  };
  const gateway = new Gateway({
    config,
    adapters: new Map(fakes.map((f) => [f.name, f])),
    clock: fakeClock,
    random: cycle(0.5),
    usage: { record: async (end) => void ends.push(end) },
    budgets,
    accountingReady: ready,
  });
  return { gateway, ends, calls: () => fakes.reduce((n, f) => n + f.calls.length, 0) };
}

async function refusal(p: Promise<unknown>): Promise<GatewayError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof GatewayError)) throw new Error("not refused");
  return e;
}

describe("admission", () => {
  it("refuses an unknown target naming only what the key may see, and a target outside the allow-list, through the normal end", async () => {
    const { gateway, ends, calls } = gatewayWith();
    const k = key({ allow: new Set(["a"]) });
    const unknown = await refusal(gateway.complete(request("nope"), as(k)));
    expect(unknown.code).toBe("not_found");
    expect(unknown.message).toBe('unknown model or route "nope"; models: a; routes: none');
    const denied = await refusal(gateway.complete(request("b"), as(k)));
    expect(denied.code).toBe("permission_denied");
    expect(calls()).toBe(0);
    expect(ends.map((e) => [e.request.target, e.clientKey, e.outcome, e.refusal, e.request.tags["team"], e.attempts.length])).toEqual([
      ["nope", "team", "not_found", "not_found", "search", 0],
      ["b", "team", "permission_denied", "permission_denied", "search", 0],
    ]);
  });

  it("refuses a spent budget before any provider call, with the spend to the last digit", async () => {
    const { gateway, ends, calls } = gatewayWith(true);
    const e = await refusal(gateway.complete(request("a"), as(key())));
    expect(e.code).toBe("resource_exhausted");
    expect(e.message).toContain("($0.000001234567 of $0.000001, requests in flight included)");
    expect(e.message).toContain("2027-01-01T00:00:00.000Z");
    expect(ends[0]?.refusal).toBe("budget_exceeded");
    expect(calls()).toBe(0);
  });

  it("refuses every request with UNAVAILABLE before any provider call while the ledger can record nothing, and serves once it can", async () => {
    let ready = false;
    const { gateway, ends, calls } = gatewayWith(false, () => ready);
    const e = await refusal(gateway.complete(request("a"), as(key())));
    expect([e.code, e.message]).toEqual(["unavailable", LEDGER_DOWN]);
    expect(calls()).toBe(0);
    expect(ends.map((x) => [x.refusal, x.outcome, x.request.tags["team"]])).toEqual([["ledger_unavailable", "unavailable", "search"]]);
    ready = true;
    await gateway.complete(request("a"), as(key()));
    expect(calls()).toBe(1);
  });

  it("takes requests per minute and refuses the next with when to retry; reports count too", async () => {
    const { gateway, ends } = gatewayWith();
    const k = key({ rpm: 2 });
    await gateway.complete(request("a"), as(k));
    await gateway.admitReport(k);
    const e = await refusal(gateway.complete(request("a"), as(k)));
    expect(e.message).toBe("client key team is over its limit of 2 requests per minute; retry in 30 s");
    expect(ends.map((x) => x.refusal)).toEqual([undefined, "key_rpm"]);
    await expect(gateway.admitReport(k)).rejects.toThrow(/over its limit of 2 requests/);
  });

  it("reserves prompt plus max_tokens of a key's TPM at admission and settles with the tokens used", async () => {
    const { gateway } = gatewayWith();
    const k = key({ tpm: 1000 });
    const big = request("a", "x".repeat(40), { chat: { messages: [{ role: "user", content: "x".repeat(40) }], params: { maxTokens: 900 } } });
    await gateway.complete(big, as(k));
    // The reservation (about 915 tokens) was settled down to the 15 used: a second large request fits.
    await gateway.complete(big, as(k));
    // 30 of the 1000 tokens are used now: a request needing 980 does not fit.
    const bigger = request("a", "x".repeat(40), { chat: { messages: [{ role: "user", content: "x".repeat(40) }], params: { maxTokens: 970 } } });
    const third = await refusal(gateway.complete(bigger, as(k)));
    expect(third.message).toMatch(/over its limit of 1000 tokens per minute/);
  });
});

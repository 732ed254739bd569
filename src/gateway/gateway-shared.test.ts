/** The core over shared state: deployment limits other replicas share, their news, and budgets that cannot be read. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Gateway } from "./gateway.js";
import { GatewayError } from "./types.js";
import type { ProviderAdapter } from "../providers/adapter.js";
import type { RateLimitHint } from "../providers/wire.js";
import type { ModelConfig } from "../config/schema.js";
import type { DeploymentNews, DeploymentShare, SharedLimitRefusal } from "./shared/shared-state.js";
import { StateUnavailableError } from "./shared/shared-state.js";
import { FakeAdapter } from "../../test/helpers/fake-adapter.js";
import type { Step } from "../../test/helpers/fake-adapter.js";
import { configFor, context, cycle, fakeClock, request, settle } from "../../test/helpers/gateway-fixture.js";

beforeEach(() => {
  vi.useFakeTimers({ now: 5_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A DeploymentShare that answers from a script and records what it was told. */
class ScriptedShare implements DeploymentShare {
  readonly taken: string[] = [];
  readonly settled: Array<[string, number, number | undefined]> = [];
  readonly hints: Array<[string, RateLimitHint]> = [];
  readonly cooldowns: Array<[string, number]> = [];
  refuse = new Map<string, SharedLimitRefusal>();
  #listener: ((model: string, news: DeploymentNews) => void) | undefined;

  take(model: ModelConfig): Promise<SharedLimitRefusal | undefined> {
    this.taken.push(model.name);
    return Promise.resolve(this.refuse.get(model.name));
  }
  settle(model: ModelConfig, estimated: number, used: number | undefined): void {
    this.settled.push([model.name, estimated, used]);
  }
  hint(model: ModelConfig, hint: RateLimitHint): void {
    this.hints.push([model.name, hint]);
  }
  cooldown(model: ModelConfig, ms: number): void {
    this.cooldowns.push([model.name, ms]);
  }
  subscribe(listener: (model: string, news: DeploymentNews) => void): () => void {
    this.#listener = listener;
    return () => (this.#listener = undefined);
  }
  /** Delivers news as another replica would publish it. */
  publish(model: string, news: DeploymentNews): void {
    this.#listener?.(model, news);
  }
}

function gatewayWith(models: Record<string, Record<string, unknown>>, scripts: Record<string, Step>, share: ScriptedShare, budgetsDown = false) {
  const config = configFor(models, { routes: { r: { strategy: "ordered", models: Object.keys(models) } }, failover: { backoffBaseMs: 1, backoffMaxMs: 1, maxWaitMs: 1 } });
  const fakes: Record<string, FakeAdapter> = {};
  const adapters = new Map<string, ProviderAdapter>();
  for (const m of config.models.values()) {
    fakes[m.name] = new FakeAdapter(m.provider, scripts[m.name] ?? { ok: "hello" });
    adapters.set(m.provider, fakes[m.name] as FakeAdapter);
  }
  const budgets = budgetsDown
    ? {
        reserve: () => Promise.reject(new StateUnavailableError("the shared state (Redis) cannot be reached")),
        release: () => undefined,
      }
    : undefined;
  const gateway = new Gateway({ config, adapters, clock: fakeClock, random: cycle(0.5), deployments: share, ...(budgets ? { budgets } : {}) });
  return { gateway, fakes };
}

describe("deployment limits shared by replicas", () => {
  it("asks the shared limits before calling a deployment that has rpm/tpm, and settles its real tokens after", async () => {
    const share = new ScriptedShare();
    const { gateway } = gatewayWith({ a: { rpm: 100, tpm: 100_000 }, b: {} }, {}, share);
    const out = await settle(gateway.complete(request("r"), context()));
    expect(out).not.toBeInstanceOf(GatewayError);
    expect(share.taken).toEqual(["a"]);
    expect(share.settled).toHaveLength(1);
    expect(share.settled[0]?.[0]).toBe("a");
    expect(share.settled[0]?.[2]).toBeGreaterThan(0);
  });

  it("does not ask for a deployment without limits of its own (no round trip)", async () => {
    const share = new ScriptedShare();
    const { gateway } = gatewayWith({ a: {}, b: {} }, {}, share);
    await settle(gateway.complete(request("r"), context()));
    expect(share.taken).toEqual([]);
  });

  it("fails over without calling a deployment the shared limits refuse, and holds it back here until they have room", async () => {
    const share = new ScriptedShare();
    share.refuse.set("a", { reason: "rpm", retryInMs: 2_000 });
    const { gateway, fakes } = gatewayWith({ a: { rpm: 10 }, b: {} }, {}, share);
    const first = await settle(gateway.complete(request("r"), context()), 10);
    expect(first).not.toBeInstanceOf(GatewayError);
    expect(fakes.a?.calls).toHaveLength(0);
    expect(fakes.b?.calls).toHaveLength(1);
    expect(gateway.health("a")).toBe("cooling_down");
    // Held back here: the next request does not even ask the shared limits for it.
    await settle(gateway.complete(request("r"), context()), 10);
    expect(share.taken).toEqual(["a"]);
    share.refuse.clear();
    await vi.advanceTimersByTimeAsync(2_000);
    await settle(gateway.complete(request("r"), context()), 10);
    expect(fakes.a?.calls).toHaveLength(1);
  });

  it("publishes a 429 cooldown and the provider's headers, and applies what other replicas publish", async () => {
    const share = new ScriptedShare();
    const { gateway } = gatewayWith({ a: {}, b: {} }, { a: { fail: "rate_limited", retryAfterMs: 3_000 } }, share);
    await settle(gateway.complete(request("r"), context()), 10);
    expect(share.cooldowns).toEqual([["a", 3_000]]);
    share.publish("b", { kind: "cooldown", ms: 5_000 });
    expect(gateway.health("b")).toBe("cooling_down");
    const refused = await settle(gateway.complete(request("r"), context()), 10);
    expect(refused).toBeInstanceOf(GatewayError);
    expect((refused as GatewayError).code).toBe("resource_exhausted");
    // What another replica published is not published again.
    expect(share.cooldowns).toEqual([["a", 3_000]]);
  });

  it("tells the other replicas what a provider's rate-limit headers said", async () => {
    const share = new ScriptedShare();
    const hint = { remainingRequests: 0, resetMs: 1_500 };
    const { gateway } = gatewayWith({ a: {}, b: {} }, { a: { ok: "hi", hint } }, share);
    await settle(gateway.complete(request("r"), context()), 10);
    expect(share.hints).toEqual([["a", hint]]);
    expect(gateway.health("a")).toBe("cooling_down");
  });
});

describe("budgets that cannot be read", () => {
  it("refuse the request with UNAVAILABLE before any provider call, rather than overspend", async () => {
    const share = new ScriptedShare();
    const { gateway, fakes } = gatewayWith({ a: {} }, {}, share, true);
    const out = await settle(gateway.complete(request("r"), context()));
    expect(out).toBeInstanceOf(GatewayError);
    expect((out as GatewayError).code).toBe("unavailable");
    expect((out as GatewayError).message).toMatch(/Redis\) cannot be reached; budgets are not checked without it/);
    expect(fakes.a?.calls).toHaveLength(0);
  });
});

describe("admission asks the key's limits and its budget at once", () => {
  it("gives back the budget reservation of a request its key's rpm refuses, and the tokens of one its budget refuses", async () => {
    const config = configFor({ a: {} });
    const fake = new FakeAdapter("p-a", { ok: "hi" });
    const released: string[] = [];
    let refuseBudget = false;
    let asked = 0;
    const budgets = {
      reserve: async () => {
        asked++;
        if (refuseBudget) return { ok: false as const, scope: "key:k", spentPicos: 2n, budgetPicos: 1n, resetsAt: Date.UTC(2027, 0, 1) };
        return { ok: true as const, reservation: { scopes: ["key:k"], picos: BigInt(asked), monthStart: 0 } };
      },
      release: (r: { picos: bigint }) => void released.push(String(r.picos)),
    };
    const gateway = new Gateway({ config, adapters: new Map([["p-a", fake]]), clock: fakeClock, random: cycle(0.5), budgets });
    const k = { id: "k", sha256: Buffer.alloc(32), role: "user" as const, allow: undefined, rpm: 1, tpm: 1_000_000, monthlyBudgetPicos: 1n, tags: {} };
    const ctx = () => ({ ...context(), principal: k });
    await settle(gateway.complete(request("a"), ctx()), 10);
    expect(released).toEqual(["1"]); // the first request's, once its cost was committed
    const overRpm = await settle(gateway.complete(request("a"), ctx()), 10);
    expect((overRpm as GatewayError).code).toBe("resource_exhausted");
    expect(released).toEqual(["1", "2"]); // reserved at once with the key's take, then given back
    await vi.advanceTimersByTimeAsync(60_000);
    refuseBudget = true;
    const overBudget = await settle(gateway.complete(request("a"), ctx()), 10);
    expect((overBudget as GatewayError).message).toMatch(/monthly budget key:k is spent/);
    expect(fake.calls).toHaveLength(1);
  });
});

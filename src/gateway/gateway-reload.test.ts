/** Reconfiguring a running gateway: requests keep their snapshot, unchanged deployments keep their state. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { GatewayConfig } from "../config/schema.js";
import type { ProviderAdapter } from "../providers/adapter.js";
import { GatewayError } from "./types.js";
import { configFor, context, fakeClock, fixture, readStream, request, settle } from "../../test/helpers/gateway-fixture.js";
import { FakeAdapter } from "../../test/helpers/fake-adapter.js";

const T0 = 5_000_000;
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const BREAKER = { breaker: { consecutiveFailures: 2, cooldownMs: 60_000, initialCooldownMs: 60_000 }, failover: { maxAttempts: 1 } };

/** The adapters of `config` taken from `from` by provider name (a reload keeps unchanged providers' adapters). */
function adaptersOf(config: GatewayConfig, from: Record<string, FakeAdapter>): Map<string, ProviderAdapter> {
  const out = new Map<string, ProviderAdapter>();
  for (const m of config.models.values()) out.set(m.provider, from[m.name] ?? new FakeAdapter(m.provider, { ok: "new" }));
  return out;
}

describe("Gateway.reconfigure", () => {
  it("keeps the breaker of an unchanged deployment, also across a price change; a new upstream model starts fresh", async () => {
    const before = configFor({ a: {}, b: {} }, BREAKER);
    const { gateway, fakes } = fixture(before, { a: { fail: "server_error" } });
    for (let i = 0; i < 2; i++) await settle(gateway.complete(request("a"), context()), 10);
    expect(gateway.health("a")).toBe("unhealthy");
    const priced = configFor({ a: { pricing: { inputPerMTok: 5, outputPerMTok: 5 } }, b: {}, c: {} }, BREAKER);
    void gateway.reconfigure({ config: priced, adapters: adaptersOf(priced, fakes) });
    expect(gateway.health("a")).toBe("unhealthy");
    expect(gateway.balancer.deployment("a")?.model.pricing.inputPerToken).toBe(5_000_000n);
    const moved = configFor({ a: { upstreamModel: "a-v2" }, b: {} }, BREAKER);
    void gateway.reconfigure({ config: moved, adapters: adaptersOf(moved, fakes) });
    expect(gateway.health("a")).toBe("healthy");
  });

  it("lets a stream on a removed model finish on its snapshot; new requests no longer find the model", async () => {
    const config = configFor({ a: {}, b: {} }, { routes: { r: { strategy: "ordered", models: ["a", "b"] } } });
    const { gateway, fakes } = fixture(config, { a: { ok: "one two three four five", chunkDelayMs: 100 } });
    const reading = readStream(gateway, request("a"), 2_000);
    await vi.advanceTimersByTimeAsync(150);
    const without = configFor({ b: {} });
    const drained = gateway.reconfigure({ config: without, adapters: adaptersOf(without, fakes) });
    let done = false;
    void drained.then(() => (done = true));
    expect(gateway.adaptersInUse().has(fakes.a as ProviderAdapter)).toBe(true);
    const r = await reading;
    expect(r.error).toBeUndefined();
    expect(r.deltas.join(" ")).toBe("one two three four five");
    expect(r.outcome?.model).toBe("a");
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
    expect(gateway.adaptersInUse().has(fakes.a as ProviderAdapter)).toBe(false);
    const refused = await settle(gateway.complete(request("a"), context()), 10);
    expect(refused).toBeInstanceOf(GatewayError);
    expect((refused as GatewayError).code).toBe("not_found");
  });

  it("prices a request started before a price change at the old price, the next one at the new", async () => {
    const cheap = configFor({ a: { pricing: { inputPerMTok: 1, outputPerMTok: 1 } } });
    const { gateway, fakes } = fixture(cheap, { a: { ok: "slow answer", delayMs: 1_000 } });
    const first = gateway.complete(request("a"), context());
    await vi.advanceTimersByTimeAsync(100);
    const dear = configFor({ a: { pricing: { inputPerMTok: 10, outputPerMTok: 10 } } });
    void gateway.reconfigure({ config: dear, adapters: adaptersOf(dear, fakes) });
    const second = gateway.complete(request("a"), context());
    await vi.advanceTimersByTimeAsync(2_000);
    // The fake reports 10 input and 5 output tokens: 15 tokens at 1 or 10 dollars per million.
    expect((await first).costPicos).toBe(15_000_000n);
    expect((await second).costPicos).toBe(150_000_000n);
    expect(fakeClock.now()).toBeGreaterThan(T0);
  });
});

/** Retries and failovers told apart: another call of the same deployment after its failure, or a move to another. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { GatewayConfig } from "../config/schema.js";
import { Gateway } from "./gateway.js";
import type { GatewayObserver } from "./observer.js";
import { NO_OBSERVER } from "./observer.js";
import type { CompletionOutcome } from "./types.js";
import { FakeAdapter } from "../../test/helpers/fake-adapter.js";
import type { Step } from "../../test/helpers/fake-adapter.js";
import { configFor, context, cycle, fakeClock, request } from "../../test/helpers/gateway-fixture.js";

beforeEach(() => {
  vi.useFakeTimers({ now: 5_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const FAILOVER = { backoffBaseMs: 100, backoffMaxMs: 1_000, maxWaitMs: 1_000 };

/** A gateway over fake adapters whose observer keeps every hop event as text. */
function withEvents(config: GatewayConfig, scripts: Record<string, Step | ((i: number) => Step)>): { gateway: Gateway; events: string[] } {
  const events: string[] = [];
  const observer: GatewayObserver = {
    ...NO_OBSERVER,
    failover: (_trace, from, to, reason) => void events.push(`failover ${from}->${to} ${reason}`),
    retry: (_trace, model, reason) => void events.push(`retry ${model} ${reason}`),
    hedgeStarted: (_trace, from, to) => void events.push(`hedge ${from}->${to}`),
  };
  const adapters = new Map([...config.models.values()].map((m) => [m.provider, new FakeAdapter(m.provider, scripts[m.name] ?? { ok: "hello" })] as const));
  return { gateway: new Gateway({ config, adapters, clock: fakeClock, random: cycle(0.5), observer }), events };
}

async function served(p: Promise<CompletionOutcome>): Promise<CompletionOutcome> {
  await vi.advanceTimersByTimeAsync(10_000);
  return p;
}

const flags = (out: CompletionOutcome): [string, boolean, boolean, boolean][] => out.attempts.map((a) => [a.model, a.failover, a.retry, a.hedge]);

describe("retries and failovers", () => {
  it("counts calls of the same deployment after its failure as retries, not failovers", async () => {
    const config = configFor({ m: {} }, { failover: FAILOVER });
    const { gateway, events } = withEvents(config, { m: (i) => (i < 2 ? { fail: "server_error" } : { ok: "third time" }) });
    const out = await served(gateway.complete(request("m"), context()));
    expect(flags(out)).toEqual([
      ["m", false, false, false],
      ["m", false, true, false],
      ["m", false, true, false],
    ]);
    expect(events).toEqual(["retry m server_error", "retry m server_error"]);
  });

  it("counts a move to another model as a failover, also back to a model tried before", async () => {
    const config = configFor({ a: {}, b: {} }, { routes: { r: { strategy: "ordered", models: ["a", "b"] } }, failover: FAILOVER });
    const { gateway, events } = withEvents(config, { a: (i) => (i === 0 ? { fail: "server_error" } : { ok: "a at last" }), b: { fail: "overloaded" } });
    const out = await served(gateway.complete(request("r"), context()));
    expect(flags(out)).toEqual([
      ["a", false, false, false],
      ["b", true, false, false],
      ["a", true, false, false],
    ]);
    expect(events).toEqual(["failover a->b server_error", "failover b->a overloaded"]);
  });

  it("counts a hedge as neither, even after a failure", async () => {
    const config = configFor({ a: {}, b: {}, c: {} }, { routes: { r: { strategy: "ordered", models: ["a", "b", "c"], hedge: { delayMs: 100 } } }, failover: FAILOVER });
    const { gateway, events } = withEvents(config, { a: { fail: "server_error" }, b: { hang: true }, c: { ok: "hedged" } });
    const out = await served(gateway.complete(request("r"), context()));
    expect(out.text).toBe("hedged");
    expect(flags(out)).toEqual([
      ["a", false, false, false],
      ["b", true, false, false],
      ["c", false, false, true],
    ]);
    expect(events).toEqual(["failover a->b server_error", "hedge b->c"]);
  });
});

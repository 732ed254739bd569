import { describe, expect, it } from "vitest";
import { Balancer } from "../health/balancer.js";
import type { PlanContext } from "./router.js";
import { plan } from "./router.js";
import { GatewayError } from "../types.js";
import { Admission } from "../admission/admission.js";
import { LocalKeyState } from "../admission/key-state.js";
import { configFor, request } from "../../../test/helpers/gateway-fixture.js";

const clock = { now: () => 0, monotonic: () => 0 };
const config = configFor(
  {
    small: { contextWindow: 100, fallbacks: ["big"] },
    big: { contextWindow: 10_000 },
    open: {},
  },
  { routes: { chain: { strategy: "ordered", models: ["small", "big", "open"] }, spread: { strategy: "weighted", models: ["big", "open"] } } },
);
const ctx = (): PlanContext => ({ view: new Balancer(config, clock), random: () => 0, stream: false, rr: new Map() });

describe("plan", () => {
  it("resolves a model to itself then its fallbacks", () => {
    const p = plan(config, request("small"), ctx());
    expect(p.route).toBeUndefined();
    expect(p.candidates.map((m) => m.name)).toEqual(["small", "big"]);
  });

  it("resolves a route through its strategy", () => {
    const p = plan(config, request("chain"), ctx());
    expect(p.route?.name).toBe("chain");
    expect(p.candidates.map((m) => m.name)).toEqual(["small", "big", "open"]);
  });

  it("keeps round-robin state per route across requests", () => {
    const c = ctx();
    const firsts = [1, 2, 3, 4].map(() => plan(config, request("spread"), c).candidates[0]?.name);
    expect(firsts).toEqual(["big", "open", "big", "open"]);
  });

  it("skips models whose context window is too small for the request", () => {
    const p = plan(config, request("chain", "x".repeat(1_000)), ctx());
    expect(p.candidates.map((m) => m.name)).toEqual(["big", "open"]);
    expect(p.tooSmall).toEqual(["small"]);
    expect(p.contextTokens).toBe(250);
  });

  it("counts the requested max_tokens against the window", () => {
    const req = request("small", "hi");
    const p = plan(config, { ...req, chat: { ...req.chat, params: { maxTokens: 500 } } }, ctx());
    expect(p.candidates.map((m) => m.name)).toEqual(["big"]);
  });

  it("rejects a request too large for every candidate as invalid", () => {
    const err = (() => {
      try {
        plan(config, request("small", "x".repeat(100_000)), ctx());
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe("invalid_argument");
    expect((err as GatewayError).message).toContain("10000");
  });

  it("names the known models and routes for an unknown target (at admission, the one place that checks it)", async () => {
    const admission = new Admission({ config, clock, keys: new LocalKeyState() });
    await expect(admission.admit(undefined, request("nope"))).rejects.toThrow(/unknown model or route "nope".*routes: chain, spread/);
    expect(() => plan(config, request("nope"), ctx())).toThrow(/was not admitted/);
  });
});

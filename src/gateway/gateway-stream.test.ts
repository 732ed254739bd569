import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Gateway } from "./gateway.js";
import { GatewayError } from "./types.js";
import type { CompletionOutcome, GatewayRequest } from "./types.js";
import { configFor, context, fixture, request, fakeClock, readStream as read } from "../../test/helpers/gateway-fixture.js";

const T0 = 2_000_000;
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const config = (failover: Record<string, unknown> = {}) =>
  configFor({ a: {}, b: {} }, { routes: { r: { strategy: "ordered", models: ["a", "b"] } }, failover: { firstTokenTimeoutMs: 200, streamIdleMs: 300, ...failover } });

describe("streaming failover", () => {
  it("fails over silently before the first token", async () => {
    const { gateway } = fixture(config(), { a: { cutAfter: 0, fail: "network" }, b: { ok: "all from b" } });
    const r = await read(gateway);
    expect(r.error).toBeUndefined();
    expect(r.deltas.join(" ")).toBe("all from b");
    expect(r.outcome?.model).toBe("b");
    expect(r.outcome?.attempts.map((a) => [a.model, a.outcome])).toEqual([
      ["a", "failed"],
      ["b", "succeeded"],
    ]);
  });

  it("lets a committed stream outlive the default deadline, but never the client's own", async () => {
    // Ten words, 100 ms apart: about a second, against a default deadline of 300 ms.
    const long = { ok: "w w w w w w w w w w", chunkDelayMs: 100 };
    const { gateway } = fixture(config({ deadlineMs: 300, streamIdleMs: 1000, firstTokenTimeoutMs: 200 }), { a: long, b: long });
    const free = await read(gateway);
    expect(free.error).toBeUndefined();
    expect(free.deltas).toHaveLength(10);
    const withDeadline = await (async () => {
      const deltas: string[] = [];
      const done = (async () => {
        try {
          for await (const ev of gateway.stream(request("r"), context(fakeClock.now() + 300))) if (ev.type === "delta") deltas.push(ev.text);
        } catch (e) {
          return e as GatewayError;
        }
        return undefined;
      })();
      await vi.advanceTimersByTimeAsync(5_000);
      return { deltas, error: await done };
    })();
    expect(withDeadline.error?.code).toBe("deadline_exceeded");
    expect(withDeadline.deltas.length).toBeLessThan(10);
  });

  it("counts a provider that sends no first token in time as failed", async () => {
    const { gateway, fakes } = fixture(config(), { a: { hang: true }, b: { ok: "b" } });
    const r = await read(gateway);
    expect(r.outcome?.model).toBe("b");
    expect(r.outcome?.attempts[0]).toMatchObject({ model: "a", errorKind: "timeout", reason: "no first token within the first-token timeout", latencyMs: 200 });
    expect(fakes.a?.aborted).toBe(1);
  });

  it("ends with UNAVAILABLE, never cleanly, when the provider fails after the first token; the partial usage is billed", async () => {
    const { gateway, fakes } = fixture(config(), { a: { cutAfter: 2, fail: "network" } });
    const r = await read(gateway);
    expect(r.deltas).toEqual(["w0", "w1"]);
    expect(r.outcome).toBeUndefined();
    expect(r.error?.code).toBe("unavailable");
    expect(r.error?.attempts).toHaveLength(1);
    expect(r.error?.attempts[0]).toMatchObject({ model: "a", outcome: "failed", errorKind: "network" });
    expect(r.error?.attempts[0]?.ttftMs).toBe(0);
    // The provider reported the input only; the two tokens the client was sent are billed as an estimate.
    expect(r.error?.attempts[0]?.usage).toEqual({ inputTokens: 10, outputTokens: 2 });
    expect(r.error?.attempts[0]).toMatchObject({ usageBasis: "estimated", usageUnknown: true });
    expect(r.error?.attempts[0]?.costPicos).toBe(10n * 1_000_000n + 2n * 2_000_000n);
    expect(fakes.b?.calls).toHaveLength(0);
  });

  it("keeps the usage reported before a cut when the error itself reports none", async () => {
    const { gateway } = fixture(config(), { a: { cutAfter: 1, fail: "network", usageBeforeCut: { inputTokens: 4, outputTokens: 1 } } });
    const r = await read(gateway);
    expect(r.error?.attempts[0]?.usage).toEqual({ inputTokens: 4, outputTokens: 1 });
    expect(r.error?.attempts[0]?.costPicos).toBe(4n * 1_000_000n + 2_000_000n);
  });

  it("ends with UNAVAILABLE when the stream stalls past the idle timeout after the first token", async () => {
    const { gateway, fakes } = fixture(config(), { a: { cutAfter: 1, stall: true } });
    const r = await read(gateway);
    expect(r.deltas).toEqual(["w0"]);
    expect(r.error?.code).toBe("unavailable");
    expect(r.error?.attempts[0]).toMatchObject({ errorKind: "timeout", reason: "stream stalled longer than the idle timeout", latencyMs: 300 });
    expect(fakes.a?.aborted).toBe(1);
  });

  it("ends with DEADLINE_EXCEEDED when the client's deadline passes mid-stream", async () => {
    const { gateway } = fixture(config({ streamIdleMs: 10_000 }), { a: { ok: "one two three four", chunkDelayMs: 100 } });
    const deltas: string[] = [];
    const done = (async () => {
      try {
        for await (const ev of gateway.stream(request("r"), context(T0 + 250))) if (ev.type === "delta") deltas.push(ev.text);
        return undefined;
      } catch (e) {
        return e as GatewayError;
      }
    })();
    await vi.advanceTimersByTimeAsync(1_000);
    const e = await done;
    expect(deltas).toEqual(["one", "two"]);
    expect(e?.code).toBe("deadline_exceeded");
    expect(gateway.health("a")).toBe("healthy");
  });

  it("does not count the consumer's slowness as an upstream stall", async () => {
    const { gateway } = fixture(config(), { a: { ok: "one two three" } });
    const it = gateway.stream(request("r"), context());
    expect(await it.next()).toMatchObject({ value: { type: "delta", text: "one" } });
    await vi.advanceTimersByTimeAsync(1_000); // the client reads nothing for longer than the idle timeout
    const rest: string[] = [];
    for await (const ev of it) if (ev.type === "delta") rest.push(ev.text);
    expect(rest).toEqual(["two", "three"]);
  });

  it("aborts the upstream call when the consumer stops reading", async () => {
    const { gateway, fakes } = fixture(config(), { a: { ok: "one two three", chunkDelayMs: 10 } });
    const it = gateway.stream(request("r"), context());
    const first = it.next();
    await vi.advanceTimersByTimeAsync(10);
    expect(await first).toMatchObject({ value: { type: "delta", text: "one" } });
    await it.return(undefined);
    expect(fakes.a?.aborted).toBe(1);
    expect(gateway.balancer.deployment("a")?.inflight).toBe(0);
    expect(gateway.health("a")).toBe("healthy");
  });

  it("reports time to first token and feeds the latency stats", async () => {
    const { gateway } = fixture(config(), { a: { ok: "x y", delayMs: 40 } });
    const r = await read(gateway);
    expect(r.outcome?.attempts[0]?.ttftMs).toBe(40);
    expect(gateway.balancer.deployment("a")?.stats.ttftMs).toBe(40);
  });
});

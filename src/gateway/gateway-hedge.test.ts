import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GatewayError } from "./types.js";
import type { CompletionOutcome } from "./types.js";
import { configFor, context, fixture, request, fakeClock } from "../../test/helpers/gateway-fixture.js";

const T0 = 3_000_000;
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const hedged = (hedge: Record<string, unknown> = { delayMs: 100 }, failover: Record<string, unknown> = {}) =>
  configFor({ a: {}, b: {}, c: {} }, { routes: { r: { strategy: "ordered", models: ["a", "b", "c"], hedge } }, failover });

async function timed(p: Promise<CompletionOutcome>, ms = 10_000): Promise<{ out: CompletionOutcome; at: number }> {
  let at = 0;
  const done = p.then((out) => ({ out, at: (at = fakeClock.now() - T0) }));
  await vi.advanceTimersByTimeAsync(ms);
  const r = await done;
  return { out: r.out, at };
}

describe("hedging", () => {
  it("sends the request to the next candidate after the delay; the first answer wins and the loser is aborted", async () => {
    const { gateway, fakes } = fixture(hedged(), { a: { ok: "slow a", delayMs: 1_000 }, b: { ok: "fast b", delayMs: 20 } });
    const { out, at } = await timed(gateway.complete(request("r"), context()));
    expect(at).toBe(120);
    expect(out.text).toBe("fast b");
    expect(out.attempts.map((a) => [a.model, a.outcome, a.hedge, a.errorKind])).toEqual([
      ["a", "aborted", false, "cancelled"],
      ["b", "succeeded", true, undefined],
    ]);
    expect(out.attempts[0]?.reason).toBe("lost the hedge race");
    expect(fakes.a?.aborted).toBe(1);
    expect(fakes.c?.calls).toHaveLength(0);
    // Losing a race says nothing about the provider's health.
    expect(gateway.health("a")).toBe("healthy");
    expect(gateway.balancer.deployment("a")?.inflight).toBe(0);
    // The loser's elapsed time is a lower bound of its latency, so the latency strategy learns it is slow.
    expect(gateway.balancer.deployment("a")?.stats.totalMs).toBe(120);
    expect(gateway.balancer.deployment("b")?.stats.totalMs).toBe(20);
  });

  it("does not hedge when the first answer comes within the delay", async () => {
    const { gateway, fakes } = fixture(hedged(), { a: { ok: "a", delayMs: 99 } });
    const { out } = await timed(gateway.complete(request("r"), context()));
    expect(out.attempts).toHaveLength(1);
    expect(fakes.b?.calls).toHaveLength(0);
  });

  it("keeps waiting for the first attempt when the hedge fails", async () => {
    const { gateway } = fixture(hedged(), { a: { ok: "a after all", delayMs: 300 }, b: { fail: "server_error" }, c: { ok: "c", delayMs: 1_000 } });
    const { out, at } = await timed(gateway.complete(request("r"), context()));
    expect(out.text).toBe("a after all");
    expect(at).toBe(300);
    // After the hedge failed, another hedge went to c; a answered first and c lost.
    expect(out.attempts.map((x) => [x.model, x.outcome, x.hedge])).toEqual([
      ["a", "succeeded", false],
      ["b", "failed", true],
      ["c", "aborted", true],
    ]);
  });

  it("uses the model's recent p95 when the delay is p95", async () => {
    const { gateway } = fixture(hedged({ delayMs: "p95", fallbackDelayMs: 500 }), { a: { ok: "slow", delayMs: 1_000 }, b: { ok: "b" } });
    const stats = gateway.balancer.deployment("a")?.stats;
    for (let i = 1; i <= 20; i++) stats?.record(false, 10 * i); // p95 = 190 ms
    const { at } = await timed(gateway.complete(request("r"), context()));
    expect(at).toBe(190);
  });

  it("uses the fallback delay until the model has enough samples", async () => {
    const { gateway } = fixture(hedged({ delayMs: "p95", fallbackDelayMs: 500 }), { a: { ok: "slow", delayMs: 1_000 }, b: { ok: "b" } });
    const { at, out } = await timed(gateway.complete(request("r"), context()));
    expect(at).toBe(500);
    expect(out.model).toBe("b");
  });

  it("counts hedges against max attempts", async () => {
    const { gateway, fakes } = fixture(hedged({ delayMs: 100 }, { maxAttempts: 1 }), { a: { ok: "a", delayMs: 1_000 } });
    const { out } = await timed(gateway.complete(request("r"), context()));
    expect(out.attempts).toHaveLength(1);
    expect(fakes.b?.calls).toHaveLength(0);
  });

  it("hedges streams: the first to produce a token wins", async () => {
    const { gateway, fakes } = fixture(hedged(), { a: { ok: "from a", delayMs: 1_000 }, b: { ok: "from b", delayMs: 50 } });
    const deltas: string[] = [];
    let outcome: CompletionOutcome | undefined;
    const done = (async () => {
      for await (const ev of gateway.stream(request("r"), context())) {
        if (ev.type === "delta") deltas.push(ev.text);
        else if (ev.type === "done") outcome = ev.outcome;
      }
    })();
    await vi.advanceTimersByTimeAsync(10_000);
    await done;
    expect(deltas.join(" ")).toBe("from b");
    expect(outcome?.attempts.map((a) => [a.model, a.outcome, a.hedge])).toEqual([
      ["a", "aborted", false],
      ["b", "succeeded", true],
    ]);
    expect(outcome?.attempts[1]?.ttftMs).toBe(50);
    expect(fakes.a?.aborted).toBe(1);
  });

  it("records and bills the usage a losing attempt reported before it was aborted", async () => {
    const { gateway } = fixture(hedged(), { a: { hang: true, usage: { inputTokens: 7 } }, b: { ok: "b", usage: { inputTokens: 3, outputTokens: 1 } } });
    const done = (async () => {
      let outcome: CompletionOutcome | undefined;
      for await (const ev of gateway.stream(request("r"), context())) if (ev.type === "done") outcome = ev.outcome;
      return outcome;
    })();
    await vi.advanceTimersByTimeAsync(10_000);
    const out = await done;
    expect(out?.attempts[0]).toMatchObject({ model: "a", outcome: "aborted", usage: { inputTokens: 7 }, costPicos: 7n * 1_000_000n, usageUnknown: true });
    expect(out?.costPicos).toBe(7n * 1_000_000n + 3n * 1_000_000n + 1n * 2_000_000n);
    expect(out?.usage).toEqual({ inputTokens: 3, outputTokens: 1 });
  });

  it("bills a unary hedge loser the provider reported nothing for at an estimate: the prompt, and max_tokens as the upper bound", async () => {
    const { gateway } = fixture(hedged(), { a: { hang: true }, b: { ok: "b", usage: { inputTokens: 3, outputTokens: 1 } } });
    const p = gateway.complete(request("r", "hello there", { chat: { messages: [{ role: "user", content: "hello there" }], params: { maxTokens: 50 } } }), context());
    await vi.advanceTimersByTimeAsync(10_000);
    const out = await p;
    expect(out.attempts[0]).toMatchObject({ model: "a", outcome: "aborted", usage: { inputTokens: 3, outputTokens: 50 }, usageBasis: "estimated", usageUnknown: true });
    expect(out.attempts[0]?.costPicos).toBe(3n * 1_000_000n + 50n * 2_000_000n);
    expect(out.attempts[1]).toMatchObject({ usageBasis: "reported", usageUnknown: false });
  });

  it("starts no further hedge once the request is known to be invalid", async () => {
    const { gateway, fakes } = fixture(hedged({ delayMs: 100 }), { a: { ok: "a", delayMs: 400 }, b: { fail: "invalid_request", status: 400 } });
    const p = gateway.complete(request("r"), context()).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10_000);
    const e = await p;
    // a was already running and may still answer; c is never started.
    expect(e).not.toBeInstanceOf(GatewayError);
    expect(fakes.c?.calls).toHaveLength(0);
  });

  it("a failure of every racer still ends with every attempt listed", async () => {
    const { gateway } = fixture(hedged({ delayMs: 100 }, { maxAttempts: 3 }), { a: { fail: "server_error", delayMs: 500 }, b: { fail: "overloaded", delayMs: 500 }, c: { fail: "network", delayMs: 10 } });
    const p = gateway.complete(request("r"), context()).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10_000);
    const e = await p;
    expect(e).toBeInstanceOf(GatewayError);
    expect((e as GatewayError).attempts.map((a) => [a.model, a.hedge])).toEqual([
      ["a", false],
      ["b", true],
      ["c", true],
    ]);
  });
});

import { describe, expect, it } from "vitest";
import type { FailoverConfig, ModelConfig } from "../../config/schema.js";
import { ProviderError } from "../../providers/errors.js";
import type { ErrorKind } from "../../providers/errors.js";
import type { Admitter } from "./candidates.js";
import { CandidateQueue } from "./candidates.js";
import type { Skip, Ticket } from "../health/deployment.js";
import { configFor } from "../../../test/helpers/gateway-fixture.js";

const config = configFor({ a: { contextWindow: 1_000 }, b: { contextWindow: 8_000 }, c: { contextWindow: 500 }, d: {} }, { failover: { backoffBaseMs: 100, backoffMaxMs: 1_000 } });
const models = (...names: string[]): ModelConfig[] => names.map((n) => config.models.get(n)).filter((m): m is ModelConfig => m !== undefined);

const ticket = (model: string, panic = false): Ticket => ({ model, permit: { probe: false, panic, generation: 0, stage: 0 }, tokens: 1 });

/** Admits everything except the names in `refuse` (a function: skipped while it returns a skip); panics into the model `panicInto` names. */
function admitter(refuse: Record<string, Skip | ((retry: boolean) => Skip | undefined)> = {}, panicInto: (skips: readonly Skip[]) => string | undefined = () => undefined): Admitter & { retries: string[] } {
  const retries: string[] = [];
  return {
    retries,
    admit: (model, _tokens, retry): Ticket | Skip => {
      const r = refuse[model];
      const skip = typeof r === "function" ? r(retry) : r;
      if (skip) return skip;
      if (retry) retries.push(model);
      return ticket(model);
    },
    panic: (skips) => {
      const model = panicInto(skips);
      return model === undefined ? undefined : ticket(model, true);
    },
  };
}

const err = (kind: ErrorKind, retryAfterMs?: number): ProviderError => new ProviderError({ kind, reason: kind, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });

function queue(names: string[], a: Admitter = admitter(), random = (): number => 0.5): CandidateQueue {
  return new CandidateQueue(models(...names), a, () => 1, config.failover as FailoverConfig, random);
}

function picked(q: CandidateQueue, now: number): string {
  const p = q.next(now);
  return p.kind === "call" ? p.model.name : p.kind;
}

describe("CandidateQueue", () => {
  it("moves to the next candidate at once after a retryable failure", () => {
    const q = queue(["a", "b"]);
    expect(picked(q, 0)).toBe("a");
    q.failed("a", err("server_error"), 0);
    expect(picked(q, 0)).toBe("b");
  });

  it("retries the same deployment only after its backoff", () => {
    const q = queue(["a"]);
    expect(picked(q, 0)).toBe("a");
    q.failed("a", err("overloaded"), 0); // jitter 0.5 * 100
    const wait = q.next(10);
    expect(wait).toEqual({ kind: "wait", readyAt: 50, skips: [{ model: "a", reason: "backoff", readyAt: 50 }] });
    expect(picked(q, 50)).toBe("a");
    q.failed("a", err("overloaded"), 50); // second failure: 0.5 * 200
    expect(q.next(100).kind).toBe("wait");
    expect(picked(q, 150)).toBe("a");
  });

  it("honours a Retry-After (503) for the same deployment", () => {
    const q = queue(["a", "b"]);
    picked(q, 0);
    q.failed("a", err("overloaded", 2_000), 0);
    expect(picked(q, 0)).toBe("b");
    q.failed("b", err("server_error"), 10);
    expect(picked(q, 60)).toBe("b"); // a still waits for its Retry-After
    q.failed("b", err("server_error"), 60);
    const w = q.next(100);
    expect(w.kind === "wait" && w.readyAt).toBe(160);
  });

  it("prefers the least retried candidate once all were tried", () => {
    const q = queue(["a", "b", "c"], admitter(), () => 0);
    for (const n of ["a", "b", "c"]) {
      expect(picked(q, 0)).toBe(n);
      q.failed(n, err("network"), 0);
    }
    expect(picked(q, 1)).toBe("a");
    q.failed("a", err("network"), 1);
    expect(picked(q, 2)).toBe("b");
  });

  it("reports balancer skips with their ready time and never calls them", () => {
    const q = queue(["a", "b"], admitter({ a: { model: "a", reason: "circuit_open", readyAt: 5_000 }, b: { model: "b", reason: "rpm", readyAt: 3_000 } }));
    expect(q.next(0)).toEqual({
      kind: "wait",
      readyAt: 3_000,
      skips: [
        { model: "a", reason: "circuit_open", readyAt: 5_000 },
        { model: "b", reason: "rpm", readyAt: 3_000 },
      ],
    });
  });

  it("does not pick a model already running for the request (a hedge goes elsewhere)", () => {
    const q = queue(["a", "b"]);
    expect(picked(q, 0)).toBe("a");
    expect(picked(q, 0)).toBe("b");
    expect(q.next(0)).toEqual({ kind: "wait", readyAt: undefined, skips: [] });
    q.released("a");
    expect(picked(q, 0)).toBe("a");
  });

  it("after context-too-long moves only to models with a larger window", () => {
    const q = queue(["a", "c", "b", "d"]);
    expect(picked(q, 0)).toBe("a");
    q.failed("a", err("context_too_long"), 0);
    // c (500) is not larger than a (1000): skipped; b (8000) and d (unknown window) remain.
    expect(picked(q, 0)).toBe("b");
    q.failed("b", err("context_too_long"), 0);
    expect(picked(q, 0)).toBe("d");
    q.failed("d", err("context_too_long"), 0);
    expect(q.next(0).kind).toBe("none");
    expect(q.hasCandidates).toBe(false);
  });

  it("never calls a deployment again within the request after its 429: moves on, or has nothing left", () => {
    const q = queue(["a", "b"]);
    expect(picked(q, 0)).toBe("a");
    q.failed("a", err("rate_limited", 100), 0);
    expect(picked(q, 0)).toBe("b");
    q.failed("b", err("server_error"), 0);
    expect(picked(q, 1_000)).toBe("b"); // b is retried after its backoff, a never
    q.failed("b", err("rate_limited"), 1_000);
    expect(q.next(5_000).kind).toBe("none");
  });

  it("asks for a call of a deployment that already failed in the request as a retry", () => {
    const a = admitter();
    const q = queue(["a", "b"], a);
    picked(q, 0);
    q.failed("a", err("server_error"), 0);
    picked(q, 0);
    q.failed("b", err("server_error"), 0);
    expect(picked(q, 1_000)).toBe("a");
    expect(a.retries).toEqual(["a"]);
  });

  it("stops rather than waits when the retry budget refuses the only candidate", () => {
    const budget: Skip = { model: "a", reason: "retry_budget", readyAt: Infinity };
    const q = queue(["a"], admitter({ a: (retry) => (retry ? budget : undefined) }));
    picked(q, 0);
    q.failed("a", err("server_error"), 0);
    expect(q.next(1_000)).toEqual({ kind: "wait", readyAt: undefined, skips: [budget] });
  });

  it("waits out a shared cooldown once, waking at its own jittered time, and not a cooldown renewed meanwhile", () => {
    let until = 1_000;
    const cooling = (): Skip | undefined => (now < until ? { model: "a", reason: "cooling_down", readyAt: until } : undefined);
    let now = 0;
    // Jitter: half the 1 s wait is the spread (between backoffBaseMs and backoffMaxMs), 0.5 of it drawn.
    const q = queue(["a"], admitter({ a: cooling }));
    expect(q.next(now)).toEqual({ kind: "wait", readyAt: 1_250, skips: [{ model: "a", reason: "cooling_down", readyAt: 1_250 }] });
    now = 1_100; // the cooldown is over, but this request wakes at 1 250
    expect(q.next(now)).toMatchObject({ kind: "wait", readyAt: 1_250 });
    until = 2_000; // another request's 429 renewed it
    now = 1_250;
    expect(q.next(now)).toEqual({ kind: "wait", readyAt: undefined, skips: [{ model: "a", reason: "cooling_down", readyAt: 2_000 }] });
    // Requests drawing other numbers wake at other times.
    const wakes = [0, 0.3, 0.9].map((r) => {
      now = 0;
      until = 1_000;
      const p = queue(["a"], admitter({ a: cooling }), () => r).next(now);
      return p.kind === "wait" ? p.readyAt : p.kind;
    });
    expect(wakes).toEqual([1_000, 1_150, 1_450]);
  });

  it("lets the panic rule call past the breakers when every candidate is skipped and none runs", () => {
    const open = (model: string): Skip => ({ model, reason: "circuit_open", readyAt: 5_000 });
    const asked: string[][] = [];
    const last = (skips: readonly Skip[]): string | undefined => (asked.push(skips.map((s) => s.model)), skips[skips.length - 1]?.model);
    const q = queue(["a", "b"], admitter({ a: open("a"), b: open("b") }, last));
    const p = q.next(0);
    expect(p.kind === "call" && [p.model.name, p.ticket.permit.panic]).toEqual(["b", true]);
    // While b runs for the request, a hedge never panics into a.
    expect(q.next(0)).toEqual({ kind: "wait", readyAt: 5_000, skips: [open("a")] });
    expect(asked).toEqual([["a", "b"]]);
  });
});

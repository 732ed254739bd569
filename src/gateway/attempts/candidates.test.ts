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

/** Admits everything except the names in `refuse`. */
function admitter(refuse: Record<string, Skip> = {}): Admitter {
  return {
    admit: (model): Ticket | Skip => refuse[model] ?? { model, permit: { probe: false, panic: false, generation: 0, stage: 0 }, tokens: 1 },
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

  it("honours Retry-After for the same deployment", () => {
    const q = queue(["a", "b"]);
    picked(q, 0);
    q.failed("a", err("rate_limited", 2_000), 0);
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
});

import { describe, expect, it, vi } from "vitest";
import { Scope } from "./scope.js";
import { waitFor } from "./attempts/wait.js";

describe("Scope", () => {
  it("passes its cause down to child scopes and to a signal made before or after the abort", () => {
    const parent = new Scope(undefined, undefined, "deadline");
    const child = new Scope(parent, undefined, "attempt_timeout");
    const early = child.signal;
    parent.abort("hedge_lost");
    expect(child.cause).toBe("hedge_lost");
    expect(early.aborted).toBe(true);
    expect((early.reason as Error).message).toBe("hedge_lost");
    expect(child.signal).toBe(early);
    const late = new Scope(parent, undefined, "attempt_timeout");
    expect(late.cause).toBe("hedge_lost");
    expect(late.signal.aborted).toBe(true);
  });

  it("counts an aborted client signal as the client, and keeps the first cause", () => {
    const client = new AbortController();
    const scope = new Scope(client.signal, undefined, "deadline");
    client.abort();
    scope.abort("deadline");
    expect(scope.cause).toBe("client");
  });

  it("lets go of a parent scope on dispose, takes a ScopeAborted signal's cause, and inherits the parent's deadline", () => {
    const parent = new Scope();
    parent.setDeadline(1000, 5000, false);
    const scope = new Scope(parent);
    const other = new Scope(parent);
    expect(scope.deadline).toBe(6000);
    other.dispose();
    parent.abort("deadline");
    expect(scope.cause).toBe("deadline");
    expect(other.aborted).toBe(false);
    const source = new Scope();
    source.abort("hedge_lost");
    expect(new Scope(source.signal).cause).toBe("hedge_lost");
  });

  it("counts a client going away within the slack before the deadline (50 ms, or 10% of the timeout) as the deadline", () => {
    const short = new Scope();
    short.setDeadline(100, 0, false);
    short.clientGone(49);
    expect(short.cause).toBe("client");
    const near = new Scope();
    near.setDeadline(100, 0, false);
    near.clientGone(50);
    expect(near.cause).toBe("deadline");
    const long = new Scope();
    long.setDeadline(10_000, 0, false);
    long.clientGone(9_000);
    expect(long.cause).toBe("deadline");
    const none = new Scope();
    none.clientGone(1e12);
    expect(none.cause).toBe("client");
  });

  it("fires its own timeout with the timeout's cause", async () => {
    vi.useFakeTimers();
    try {
      const scope = new Scope(undefined, 50, "attempt_timeout");
      vi.advanceTimersByTime(49);
      expect(scope.aborted).toBe(false);
      vi.advanceTimersByTime(1);
      expect(scope.cause).toBe("attempt_timeout");
    } finally {
      vi.useRealTimers();
    }
  });

  it("stops listening to its parent once disposed, and calls each listener once", () => {
    const parent = new Scope(undefined, undefined, "deadline");
    const child = new Scope(parent, undefined, "attempt_timeout");
    const seen: string[] = [];
    parent.onAbort((c) => seen.push(`a:${c}`));
    const off = parent.onAbort((c) => seen.push(`b:${c}`));
    off();
    child.dispose();
    parent.abort("deadline");
    parent.abort("client");
    expect(seen).toEqual(["a:deadline"]);
    expect(child.aborted).toBe(false);
    parent.onAbort((c) => seen.push(`late:${c}`));
    expect(seen).toEqual(["a:deadline", "late:deadline"]);
  });

  it("ends a wait at its timer, on abort, and at once when already aborted", async () => {
    const scope = new Scope(undefined, undefined, "deadline");
    expect(await waitFor(1, scope)).toBe("timer");
    const waiting = waitFor(10_000, scope);
    scope.abort("client");
    expect(await waiting).toBe("aborted");
    expect(await waitFor(10_000, scope)).toBe("aborted");
  });
});

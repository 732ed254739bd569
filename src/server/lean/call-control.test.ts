/** A lean-path call's scope: listeners and a signal made on demand agree on whether and why the call ended. */
import { EventEmitter } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { ScopeAborted } from "../../gateway/scope.js";
import { CallControl } from "./call-control.js";

const causeOf = (reason: unknown): string | undefined => (reason instanceof ScopeAborted ? reason.abortCause : undefined);

describe("CallControl", () => {
  it("tells listeners and a signal made before or after that the client went away", () => {
    const res = new EventEmitter();
    const call = new CallControl(res);
    const early = call.scope.signal;
    const heard: string[] = [];
    call.scope.onAbort(() => heard.push("a"));
    const off = call.scope.onAbort(() => heard.push("b"));
    off();
    res.emit("close");
    expect(heard).toEqual(["a"]);
    expect(call.scope.cause).toBe("client");
    expect(causeOf(early.reason)).toBe("client");
    const late = new CallControl(new EventEmitter());
    late.arm(0);
    expect(causeOf(late.scope.signal.reason)).toBe("deadline");
    let now = false;
    late.scope.onAbort(() => (now = true));
    expect(now).toBe(true);
  });

  it("does not abort when the client closes after the answer ended, and aborts at the deadline otherwise", () => {
    vi.useFakeTimers();
    try {
      const ended = new EventEmitter();
      const done = new CallControl(ended);
      done.arm(1000);
      done.end();
      done.dispose();
      ended.emit("close");
      vi.advanceTimersByTime(2000);
      expect(done.scope.aborted).toBe(false);

      const slow = new CallControl(new EventEmitter());
      let fired = 0;
      slow.scope.onAbort(() => fired++);
      slow.arm(1000);
      expect(slow.deadline).toBe(Date.now() + 1000);
      vi.advanceTimersByTime(999);
      expect(slow.scope.aborted).toBe(false);
      vi.advanceTimersByTime(1);
      expect(fired).toBe(1);
      expect(slow.scope.cause).toBe("deadline");
    } finally {
      vi.useRealTimers();
    }
  });

  it("counts a client that goes away within the slack before its deadline as the deadline, earlier as the client", () => {
    vi.useFakeTimers();
    try {
      const near = new EventEmitter();
      const nearCall = new CallControl(near);
      nearCall.arm(1000);
      vi.advanceTimersByTime(950);
      near.emit("close");
      expect(nearCall.scope.cause).toBe("deadline");

      const early = new EventEmitter();
      const earlyCall = new CallControl(early);
      earlyCall.arm(1000);
      vi.advanceTimersByTime(500);
      early.emit("close");
      expect(earlyCall.scope.cause).toBe("client");
    } finally {
      vi.useRealTimers();
    }
  });
});

/** A call's cancellation: listeners and a signal made on demand agree on whether and why the call ended. */
import { Code, ConnectError } from "@connectrpc/connect";
import { EventEmitter } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { CallControl } from "./call-control.js";

const codeOf = (reason: unknown): Code | undefined => (reason instanceof ConnectError ? reason.code : undefined);

describe("CallControl", () => {
  it("tells listeners and a signal made before or after that the client went away", () => {
    const res = new EventEmitter();
    const call = new CallControl(res);
    const early = call.signal;
    const heard: string[] = [];
    call.onAbort(() => heard.push("a"));
    const off = call.onAbort(() => heard.push("b"));
    off();
    res.emit("close");
    expect(heard).toEqual(["a"]);
    expect(call.aborted).toBe(true);
    expect(codeOf(call.reason)).toBe(Code.Canceled);
    expect(codeOf(early.reason)).toBe(Code.Canceled);
    const late = new CallControl(new EventEmitter());
    late.arm(0);
    expect(codeOf(late.signal.reason)).toBe(Code.DeadlineExceeded);
    let now = false;
    late.onAbort(() => (now = true));
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
      expect(done.aborted).toBe(false);

      const slow = new CallControl(new EventEmitter());
      let fired = 0;
      slow.onAbort(() => fired++);
      slow.arm(1000);
      vi.advanceTimersByTime(999);
      expect(slow.aborted).toBe(false);
      vi.advanceTimersByTime(1);
      expect(fired).toBe(1);
      expect(codeOf(slow.reason)).toBe(Code.DeadlineExceeded);
    } finally {
      vi.useRealTimers();
    }
  });
});

/**
 * The call's scope as the core gets it: the lean paths' own scope as made at the edge, or one following the
 * handler context's signal; either way a client that goes away is the client, and the deadline (or a reset
 * within the slack before it) is the deadline.
 */
import { Code, ConnectError, createContextValues } from "@connectrpc/connect";
import type { HandlerContext } from "@connectrpc/connect";
import { EventEmitter } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";
import { CallControl } from "../server/lean/call-control.js";
import { callScope, callScopeKey } from "./call-scope.js";

const clock = { now: () => Date.now(), monotonic: () => Date.now() };

/** A handler context over `signal` with `timeoutMs`, carrying `scope` when given (as the lean paths do). */
function handlerContext(signal: AbortSignal, timeoutMs: number | undefined, call?: CallControl): HandlerContext {
  const values = createContextValues();
  if (call) values.set(callScopeKey, call.scope);
  const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
  return {
    method: GatewayService.method.complete, service: GatewayService, requestMethod: "POST", url: "http://localhost/", protocolName: "grpc", signal,
    timeoutMs: () => (deadline === undefined ? undefined : deadline - Date.now()),
    requestHeader: new Headers(), responseHeader: new Headers(), responseTrailer: new Headers(), values,
  };
}

describe("callScope", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("is the lean path's own scope: the client going away, with or without a deadline, also before the handler ran", () => {
    for (const timeout of [undefined, 1000]) {
      const res = new EventEmitter();
      const call = new CallControl(res);
      call.arm(timeout);
      const scope = callScope(handlerContext(call.scope.signal, timeout, call), clock);
      expect(scope).toBe(call.scope);
      vi.advanceTimersByTime(100);
      res.emit("close");
      expect(scope.cause).toBe("client");
    }
  });

  it("is the deadline at the lean call's own deadline, armed once at the edge", () => {
    const call = new CallControl(new EventEmitter());
    call.arm(1000);
    const scope = callScope(handlerContext(call.scope.signal, 1000, call), clock);
    expect(scope.deadline).toBe(Date.now() + 1000);
    vi.advanceTimersByTime(1000);
    expect(scope.cause).toBe("deadline");
  });

  it("follows another transport's signal: its DEADLINE_EXCEEDED is the deadline, a reset within the slack too, an early one the client", () => {
    const timedOut = new AbortController();
    const first = callScope(handlerContext(timedOut.signal, 1000), clock);
    expect(first.deadline).toBe(Date.now() + 1000);
    timedOut.abort(new ConnectError("the operation timed out", Code.DeadlineExceeded));
    expect(first.cause).toBe("deadline");

    const reset = new AbortController();
    const second = callScope(handlerContext(reset.signal, 1000), clock);
    vi.advanceTimersByTime(950);
    reset.abort(new ConnectError("the client cancelled", Code.Canceled));
    expect(second.cause).toBe("deadline");

    const gone = new AbortController();
    const third = callScope(handlerContext(gone.signal, 1000), clock);
    vi.advanceTimersByTime(100);
    gone.abort(new ConnectError("the client cancelled", Code.Canceled));
    expect(third.cause).toBe("client");

    const before = new AbortController();
    before.abort();
    expect(callScope(handlerContext(before.signal, undefined), clock).cause).toBe("client");
  });
});

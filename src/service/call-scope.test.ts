/**
 * The call's scope as the core gets it: the lean paths' own scope as made at the edge, or one following the
 * handler context's signal; either way a client that goes away is the client, and the deadline (or a reset
 * within the slack before it) is the deadline.
 */
import { Code, ConnectError, createContextValues } from "@connectrpc/connect";
import type { HandlerContext } from "@connectrpc/connect";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";
import { Scope } from "../gateway/scope.js";
import { callScope, callScopeKey } from "./call-scope.js";

const clock = { now: () => Date.now(), monotonic: () => Date.now() };

/** A handler context over `signal` with `timeoutMs`, carrying the edge's `scope` when given (as the lean paths do). */
function handlerContext(signal: AbortSignal, timeoutMs: number | undefined, edge?: Scope): HandlerContext {
  const values = createContextValues();
  if (edge) values.set(callScopeKey, edge);
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

  it("is the edge's own scope when the transport made one, its deadline armed once there", () => {
    const edge = new Scope();
    edge.setDeadline(1000, Date.now());
    const scope = callScope(handlerContext(edge.signal, 1000, edge), clock);
    expect(scope).toBe(edge);
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

/**
 * The core's cancellation from a fast-path call: a client that goes away cancels, the call's own deadline does
 * not (the core keeps its own deadline timer), nor does a reset within the slack before the deadline.
 */
import { createContextValues } from "@connectrpc/connect";
import type { HandlerContext } from "@connectrpc/connect";
import { EventEmitter } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";
import { Scope } from "../gateway/attempts/scope.js";
import { CallControl } from "../server/lean/call-control.js";
import { callCancelKey } from "./cancel-key.js";
import { callContext } from "./gateway-service.js";

let now = 0;
const clock = { now: () => now, monotonic: () => now };

/** A call as the gRPC fast path makes it, with `timeoutMs` armed; `res` closing is the client going away. */
function fastCall(timeoutMs: number | undefined): { res: EventEmitter; call: CallControl; ctx: HandlerContext } {
  const res = new EventEmitter();
  const call = new CallControl(res);
  call.arm(timeoutMs);
  const values = createContextValues();
  values.set(callCancelKey, call);
  const ctx: HandlerContext = {
    method: GatewayService.method.complete, service: GatewayService, requestMethod: "POST", url: "http://localhost/", protocolName: "grpc",
    get signal() {
      return call.signal;
    },
    timeoutMs: () => (timeoutMs === undefined ? undefined : Math.max(0, timeoutMs - now)),
    requestHeader: new Headers(), responseHeader: new Headers(), responseTrailer: new Headers(), values,
  };
  return { res, call, ctx };
}

/** The core's view: a scope on the call context's cancellation. */
const scopeOf = (ctx: HandlerContext): Scope => new Scope(callContext(ctx, clock).signal, undefined, "deadline");

describe("callContext on a fast-path call", () => {
  beforeEach(() => {
    now = 0;
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it("cancels when the client goes away, with or without a deadline, also when it went before the handler ran", () => {
    for (const timeout of [undefined, 1000]) {
      const { res, ctx } = fastCall(timeout);
      const scope = scopeOf(ctx);
      now = 100;
      res.emit("close");
      expect(scope.cause).toBe("client");
    }
    const { res, ctx } = fastCall(1000);
    res.emit("close");
    expect(scopeOf(ctx).cause).toBe("client");
  });

  it("does not cancel at the call's own deadline, nor for a reset within the slack before it", () => {
    const atDeadline = fastCall(1000);
    const first = scopeOf(atDeadline.ctx);
    now = 1000;
    vi.advanceTimersByTime(1000);
    expect(atDeadline.call.aborted).toBe(true);
    expect(first.aborted).toBe(false);

    const nearDeadline = fastCall(1000);
    const second = scopeOf(nearDeadline.ctx);
    now = 950;
    nearDeadline.res.emit("close");
    expect(second.aborted).toBe(false);
  });
});

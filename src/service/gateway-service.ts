/** The RPC handlers of GatewayService: validate, translate, call the core, translate back. Thin. */
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { Clock } from "../gateway/clock.js";
import type { Gateway } from "../gateway/gateway.js";
import { Scope } from "../gateway/attempts/scope.js";
import type { CallContext } from "../gateway/types.js";
import { GatewayService, StreamCompleteResponseSchema } from "../../gen/llmgateway/v1/gateway_pb.js";
import { toCompleteResponse } from "./convert.js";
import { toConnectError } from "./errors.js";
import type { Ledger } from "../accounting/ledger/ledger.js";
import type { Access } from "../gateway/admission/admission.js";
import { getCostReport } from "./cost-report.js";
import { listModels } from "./list-models.js";
import { principalKey } from "./principal.js";
import { callCancelKey } from "./cancel-key.js";
import type { CallCancel } from "./cancel-key.js";
import { traceContextKey } from "./trace-key.js";
import { toGatewayRequest } from "./validate.js";

/** What the handlers need. */
export interface ServiceDeps {
  readonly gateway: Gateway;
  readonly clock: Clock;
  readonly access: Access;
  readonly ledger: Ledger;
}

/** How close to its deadline a client's reset counts as the deadline, ms (at least; 10% of the timeout when larger). */
const DEADLINE_SLACK_MS = 50;

/**
 * The deadline and cancellation of an RPC, as the core wants them. The handler's signal also fires at
 * the deadline; the core gets a signal for client cancellation only and keeps its own deadline timer,
 * so that a deadline is accounted as a deadline, not as a client that went away.
 */
export function callContext(ctx: HandlerContext, clock: Clock, clientKey?: string): CallContext {
  const timeout = ctx.timeoutMs();
  const deadline = timeout === undefined ? undefined : clock.now() + timeout;
  const trace = ctx.values.get(traceContextKey);
  // The fast paths hand over a listener list; connect-node's calls have their signal only.
  const call = ctx.values.get(callCancelKey);
  if (timeout === undefined) return { signal: call ?? ctx.signal, deadline, clientKey, trace };
  const source: CallCancel = call ?? signalCancel(ctx.signal);
  const cancelled = new Scope(undefined, undefined, "client");
  const onAbort = (): void => {
    const reason: unknown = source.reason;
    if (reason instanceof ConnectError && reason.code === Code.DeadlineExceeded) return;
    // A client enforces the same deadline and resets the stream at about the same instant: near the
    // deadline, a reset is the deadline.
    if (deadline !== undefined && clock.now() >= deadline - Math.max(DEADLINE_SLACK_MS, timeout * 0.1)) return;
    cancelled.abort("client");
  };
  if (source.aborted) onAbort();
  else source.onAbort(onAbort);
  return { signal: cancelled, deadline, clientKey, trace };
}

/** An AbortSignal seen as a CallCancel. */
function signalCancel(signal: AbortSignal): CallCancel {
  return {
    get aborted() {
      return signal.aborted;
    },
    get reason() {
      return signal.reason as unknown;
    },
    onAbort(fn) {
      signal.addEventListener("abort", fn, { once: true });
      return () => signal.removeEventListener("abort", fn);
    },
  };
}

/** Builds the GatewayService implementation. */
export function createGatewayService(deps: ServiceDeps): ServiceImpl<typeof GatewayService> {
  const { gateway, clock, access, ledger } = deps;
  return {
    async complete(req, ctx) {
      const key = ctx.values.get(principalKey);
      const request = await access.admit(key, toGatewayRequest(req));
      try {
        return toCompleteResponse(await gateway.complete(request, callContext(ctx, clock, key?.id)));
      } catch (err) {
        throw toConnectError(err);
      }
    },

    async *streamComplete(req, ctx) {
      const key = ctx.values.get(principalKey);
      const request = await access.admit(key, toGatewayRequest(req.request, "request."));
      try {
        for await (const ev of gateway.stream(request, callContext(ctx, clock, key?.id))) {
          yield ev.type === "delta"
            ? create(StreamCompleteResponseSchema, { event: { case: "delta", value: { text: ev.text } } })
            : create(StreamCompleteResponseSchema, { event: { case: "summary", value: toCompleteResponse(ev.outcome) } });
        }
      } catch (err) {
        throw toConnectError(err);
      }
    },

    async getCostReport(req, ctx) {
      const key = ctx.values.get(principalKey);
      access.admitReport(key);
      // A user key sees only its own usage; an admin key (or no auth) sees everything.
      const scoped = key && key.role !== "admin" ? { ...req, clientKeys: [key.id] } : req;
      return getCostReport(scoped, { ledger, models: gateway.config.models, now: () => clock.now() });
    },

    listModels() {
      return listModels(gateway);
    },
  };
}

/** The RPC handlers of GatewayService: validate, translate, call the core, translate back. Thin. */
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { Clock } from "../gateway/clock.js";
import type { Gateway } from "../gateway/gateway.js";
import type { CallContext } from "../gateway/types.js";
import { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";
import { toCompleteResponse, toStreamMessage } from "./convert.js";
import { toConnectError } from "./errors.js";
import type { Ledger } from "../accounting/ledger/ledger.js";
import { getCostReport } from "./cost-report.js";
import { listModels } from "./list-models.js";
import { embed } from "./embed.js";
import { principalKey } from "./principal.js";
import { callScope } from "./call-scope.js";
import { traceContextKey } from "./trace-key.js";
import { reloadConfig } from "./reload-config.js";
import type { ReloadFn } from "./reload-config.js";
import { toGatewayRequest } from "./validate.js";

/** What the handlers need. */
export interface ServiceDeps {
  readonly gateway: Gateway;
  readonly clock: Clock;
  readonly ledger: Ledger;
  /** Reloads the config file (ReloadConfig); absent when the gateway runs without one (the demo). */
  readonly reload?: ReloadFn;
}

/** The core's view of an RPC: its scope (deadline and cancellation, made once at the edge), key and trace. */
export function callContext(ctx: HandlerContext, clock: Clock): CallContext {
  return { scope: callScope(ctx, clock), principal: ctx.values.get(principalKey), trace: ctx.values.get(traceContextKey) };
}

/** Builds the GatewayService implementation. */
export function createGatewayService(deps: ServiceDeps): ServiceImpl<typeof GatewayService> {
  const { gateway, clock, ledger } = deps;
  return {
    async complete(req, ctx) {
      const request = toGatewayRequest(req);
      try {
        return toCompleteResponse(await gateway.complete(request, callContext(ctx, clock)));
      } catch (err) {
        throw toConnectError(err);
      }
    },

    async *streamComplete(req, ctx) {
      const request = toGatewayRequest(req.request, "request.");
      try {
        for await (const ev of gateway.stream(request, callContext(ctx, clock))) yield toStreamMessage(ev);
      } catch (err) {
        throw toConnectError(err);
      }
    },

    async getCostReport(req, ctx) {
      const key = ctx.values.get(principalKey);
      try {
        await gateway.admitReport(key);
      } catch (err) {
        throw toConnectError(err);
      }
      // A user key sees only its own usage; an admin key (or no auth) sees everything.
      const scoped = key && key.role !== "admin" ? { ...req, clientKeys: [key.id] } : req;
      // The default baseline, and any named one, come from the models the key may see.
      const models = new Map(gateway.catalogue(key).models.map((m) => [m.name, m]));
      return getCostReport(scoped, { ledger, models, now: () => clock.now() });
    },

    listModels(_req, ctx) {
      return listModels(gateway, ctx.values.get(principalKey));
    },

    async embed(req, ctx) {
      return embed(req, gateway, callContext(ctx, clock));
    },

    async reloadConfig(_req, ctx) {
      return reloadConfig(ctx.values.get(principalKey), deps.reload);
    },
  };
}

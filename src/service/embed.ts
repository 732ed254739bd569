/** The Embed handler: validate -> convert -> gateway.embed -> convert back. */
import { create } from "@bufbuild/protobuf";
import type { EmbedOutcome } from "../gateway/embed/embed-request.js";
import type { Gateway } from "../gateway/gateway.js";
import type { CallContext } from "../gateway/types.js";
import type { EmbedRequest, EmbedResponse } from "../../gen/llmgateway/v1/embeddings_pb.js";
import { EmbedResponseSchema } from "../../gen/llmgateway/v1/embeddings_pb.js";
import { toAttempt, toMoney, toUsage } from "./convert.js";
import { toConnectError } from "./errors.js";
import { toEmbedRequest } from "./validate-embed.js";

/** Serves one Embed call; throws ConnectError (INVALID_ARGUMENT naming the field, or the gateway's status). */
export async function embed(req: EmbedRequest, gateway: Gateway, ctx: CallContext): Promise<EmbedResponse> {
  const request = toEmbedRequest(req);
  try {
    // The snapshot the request runs on (taken as the call starts), though a reload may swap the gateway's meanwhile.
    const config = gateway.config;
    const outcome = await gateway.embed(request, ctx);
    return toEmbedResponse(outcome, config.models.get(outcome.model)?.upstreamModel ?? "");
  } catch (err) {
    throw toConnectError(err);
  }
}

/** A served batch -> EmbedResponse; `upstreamModel` (the configured name) stands in when the provider named none. */
export function toEmbedResponse(o: EmbedOutcome, upstreamModel: string): EmbedResponse {
  return create(EmbedResponseSchema, {
    embeddings: o.vectors.map((values, index) => ({ index, values: [...values] })),
    requestId: o.requestId,
    model: o.model,
    provider: o.provider,
    upstreamModel: o.responseModel ?? upstreamModel,
    route: o.route ?? "",
    // Absent when the provider reported no usage (Gemini): the ledger holds the gateway's estimate, never shown as a report.
    usage: o.usage.inputTokens === undefined ? undefined : toUsage(o.usage),
    cost: toMoney(o.costPicos),
    attempts: o.attempts.map(toAttempt),
  });
}

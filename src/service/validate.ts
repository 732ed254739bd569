/** Request validation: every problem becomes INVALID_ARGUMENT naming the field. */
import { randomUUID } from "node:crypto";
import type { Tier } from "../config/schema.js";
import type { GatewayRequest } from "../gateway/types.js";
import type { CompleteRequest } from "../../gen/llmgateway/v1/gateway_pb.js";
import { Complexity } from "../../gen/llmgateway/v1/types_pb.js";
import { invalid, LIMITS } from "./limits.js";
import { toMessages } from "./validate-messages.js";
import { toExtras } from "./validate-tools.js";
import { checkModel, checkRequestId, checkTags } from "./validate-common.js";

/** The request bounds, re-exported for the rooms that quote them. */
export { LIMITS } from "./limits.js";

const TIERS: Partial<Record<Complexity, Tier>> = { [Complexity.SIMPLE]: "simple", [Complexity.MEDIUM]: "medium", [Complexity.COMPLEX]: "complex" };


/** Validates a CompleteRequest (path prefix for nested use) and translates it to the core request. */
export function toGatewayRequest(req: CompleteRequest | undefined, prefix = ""): GatewayRequest {
  const f = (name: string): string => `${prefix}${name}`;
  if (!req) throw invalid(prefix.replace(/\.$/, "") || "request", "is required");
  checkModel(req.model, f("model"));
  if (req.messages.length === 0) throw invalid(f("messages"), "must contain at least one message");
  if (req.messages.length > LIMITS.maxMessages) throw invalid(f("messages"), `must contain at most ${LIMITS.maxMessages} messages`);
  const messages = toMessages(req.messages, f);
  if (!messages.some((m) => m.role !== "system")) throw invalid(f("messages"), "must contain a user or assistant message");
  const extras = toExtras(req, f);
  if (req.maxTokens !== undefined && (req.maxTokens < 1 || req.maxTokens > LIMITS.maxTokens)) {
    throw invalid(f("max_tokens"), `must be from 1 to ${LIMITS.maxTokens}`);
  }
  if (req.temperature !== undefined && !(req.temperature >= 0 && req.temperature <= 2)) throw invalid(f("temperature"), "must be from 0 to 2");
  if (req.topP !== undefined && !(req.topP >= 0 && req.topP <= 1)) throw invalid(f("top_p"), "must be from 0 to 1");
  if (req.stop.length > LIMITS.maxStop) throw invalid(f("stop"), `must have at most ${LIMITS.maxStop} sequences`);
  req.stop.forEach((s, i) => {
    if (s.length === 0 || s.length > LIMITS.maxStopChars) throw invalid(f(`stop[${i}]`), `must be 1 to ${LIMITS.maxStopChars} characters`);
  });
  checkTags(req.tags, f);
  checkRequestId(req.requestId, f("request_id"));
  return {
    target: req.model,
    chat: {
      messages,
      params: {
        ...(req.maxTokens !== undefined ? { maxTokens: req.maxTokens } : {}),
        ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
        ...(req.topP !== undefined ? { topP: req.topP } : {}),
        ...(req.stop.length > 0 ? { stop: req.stop } : {}),
      },
      ...extras,
    },
    complexity: TIERS[req.complexity],
    tags: { ...req.tags },
    requestId: req.requestId || randomUUID(),
  };
}

/** Request validation: every problem becomes INVALID_ARGUMENT naming the field. */
import { randomUUID } from "node:crypto";
import type { Tier } from "../config/schema.js";
import type { GatewayRequest } from "../gateway/types.js";
import type { CompleteRequest } from "../../gen/llmgateway/v1/gateway_pb.js";
import { Complexity } from "../../gen/llmgateway/v1/types_pb.js";
import { invalid, LIMITS } from "./limits.js";
import { toMessages } from "./validate-messages.js";
import { toExtras } from "./validate-tools.js";

/** The request bounds, re-exported for the rooms that quote them. */
export { LIMITS } from "./limits.js";

const TIERS: Partial<Record<Complexity, Tier>> = { [Complexity.SIMPLE]: "simple", [Complexity.MEDIUM]: "medium", [Complexity.COMPLEX]: "complex" };


/** Validates a CompleteRequest (path prefix for nested use) and translates it to the core request. */
export function toGatewayRequest(req: CompleteRequest | undefined, prefix = ""): GatewayRequest {
  const f = (name: string): string => `${prefix}${name}`;
  if (!req) throw invalid(prefix.replace(/\.$/, "") || "request", "is required");
  if (req.model.length === 0) throw invalid(f("model"), "is required (a model or route name; see ListModels)");
  if (req.model.length > LIMITS.maxModelChars) throw invalid(f("model"), `is longer than ${LIMITS.maxModelChars} characters`);
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
  const tags = Object.entries(req.tags);
  if (tags.length > LIMITS.maxTags) throw invalid(f("tags"), `must have at most ${LIMITS.maxTags} entries`);
  for (const [k, v] of tags) {
    if (k.length === 0 || k.length > LIMITS.maxTagKeyChars) throw invalid(f(`tags[${JSON.stringify(k.slice(0, 64))}]`), `key must be 1 to ${LIMITS.maxTagKeyChars} characters`);
    if (v.length > LIMITS.maxTagValueChars) throw invalid(f(`tags[${JSON.stringify(k)}]`), `value must be at most ${LIMITS.maxTagValueChars} characters`);
  }
  if (req.requestId.length > LIMITS.maxRequestIdChars || /[^\x21-\x7e]/.test(req.requestId)) {
    throw invalid(f("request_id"), `must be at most ${LIMITS.maxRequestIdChars} printable ASCII characters`);
  }
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

/** Request validation: every problem becomes INVALID_ARGUMENT naming the field. */
import { randomUUID } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Tier } from "../config/schema.js";
import type { GatewayRequest } from "../gateway/types.js";
import type { ChatMessage, Role as CoreRole } from "../gateway/types.js";
import type { CompleteRequest } from "../../gen/llmgateway/v1/gateway_pb.js";
import { Complexity, Role } from "../../gen/llmgateway/v1/types_pb.js";

/** Bounds on a request, beyond the server's message size limit. */
export const LIMITS = {
  maxMessages: 1000,
  maxContentChars: 1_000_000,
  maxTokens: 1_000_000,
  maxStop: 4,
  maxStopChars: 256,
  maxTags: 32,
  maxTagKeyChars: 64,
  maxTagValueChars: 256,
  maxRequestIdChars: 128,
  maxModelChars: 256,
} as const;

const ROLES: Partial<Record<Role, CoreRole>> = { [Role.SYSTEM]: "system", [Role.USER]: "user", [Role.ASSISTANT]: "assistant" };
const TIERS: Partial<Record<Complexity, Tier>> = { [Complexity.SIMPLE]: "simple", [Complexity.MEDIUM]: "medium", [Complexity.COMPLEX]: "complex" };

function invalid(field: string, message: string): ConnectError {
  return new ConnectError(`${field}: ${message}`, Code.InvalidArgument);
}

/** Validates a CompleteRequest (path prefix for nested use) and translates it to the core request. */
export function toGatewayRequest(req: CompleteRequest | undefined, prefix = ""): GatewayRequest {
  const f = (name: string): string => `${prefix}${name}`;
  if (!req) throw invalid(prefix.replace(/\.$/, "") || "request", "is required");
  if (req.model.length === 0) throw invalid(f("model"), "is required (a model or route name; see ListModels)");
  if (req.model.length > LIMITS.maxModelChars) throw invalid(f("model"), `is longer than ${LIMITS.maxModelChars} characters`);
  if (req.messages.length === 0) throw invalid(f("messages"), "must contain at least one message");
  if (req.messages.length > LIMITS.maxMessages) throw invalid(f("messages"), `must contain at most ${LIMITS.maxMessages} messages`);
  const messages: ChatMessage[] = req.messages.map((m, i) => {
    const role = ROLES[m.role];
    if (!role) throw invalid(f(`messages[${i}].role`), "must be ROLE_SYSTEM, ROLE_USER or ROLE_ASSISTANT");
    if (m.content.length > LIMITS.maxContentChars) throw invalid(f(`messages[${i}].content`), `is longer than ${LIMITS.maxContentChars} characters`);
    return { role, content: m.content };
  });
  if (!messages.some((m) => m.role !== "system")) throw invalid(f("messages"), "must contain a user or assistant message");
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
    },
    complexity: TIERS[req.complexity],
    tags: { ...req.tags },
    requestId: req.requestId || randomUUID(),
  };
}

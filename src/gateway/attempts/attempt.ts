/** One provider attempt: call the adapter, time it, price it, and turn it into an AttemptRecord. */
import { costOf } from "../../accounting/money/pricing.js";
import type { ModelConfig } from "../../config/schema.js";
import type { ProviderAdapter } from "../../providers/adapter.js";
import { ProviderError } from "../../providers/errors.js";
import type { ChatRequest, FinishReason } from "../../providers/types.js";
import type { Clock } from "../clock.js";
import type { AttemptOutcome, AttemptRecord } from "../types.js";
import type { AccountedUsage } from "./usage-basis.js";

/** What is known about an attempt when it starts. */
export interface AttemptStart {
  readonly number: number;
  readonly model: ModelConfig;
  readonly adapter: ProviderAdapter;
  readonly hedge: boolean;
  readonly failover: boolean;
  readonly retry: boolean;
  readonly startedAt: number;
  readonly startedMono: number;
}

/** Starts the bookkeeping of an attempt. */
export function startAttempt(clock: Clock, number: number, model: ModelConfig, adapter: ProviderAdapter, flags: { hedge: boolean; failover: boolean; retry: boolean }): AttemptStart {
  return { number, model, adapter, ...flags, startedAt: clock.now(), startedMono: clock.monotonic() };
}

/** Closes an attempt into a record: latency, and the cost of its accounted usage. */
export function finishAttempt(
  clock: Clock,
  start: AttemptStart,
  outcome: AttemptOutcome,
  accounted: AccountedUsage,
  ttftMono: number | undefined,
  error?: ProviderError,
  reason?: string,
): AttemptRecord {
  const { usage, basis } = accounted;
  const cost = costOf(usage, start.model.pricing);
  return {
    number: start.number,
    model: start.model.name,
    provider: start.model.provider,
    outcome,
    errorKind: error?.kind,
    httpStatus: error?.status,
    reason: reason ?? (error ? error.message : "ok"),
    startedAt: start.startedAt,
    latencyMs: clock.monotonic() - start.startedMono,
    ttftMs: ttftMono === undefined ? undefined : ttftMono - start.startedMono,
    hedge: start.hedge,
    failover: start.failover,
    retry: start.retry,
    usage,
    costPicos: cost.picos,
    // Unknown to the provider's report, whatever the core estimated for it.
    usageUnknown: basis === "estimated" || cost.usageUnknown,
    usageBasis: basis,
  };
}

/** Builds the provider call for a model. */
export function upstreamCall(model: ModelConfig, chat: ChatRequest): { request: ChatRequest; upstreamModel: string; defaultMaxTokens: number } {
  // Reasoning turned off (the only reasoning routing lets through to a model without the capability) is that
  // model's default: not sent, since models without reasoning reject the field.
  const request = chat.reasoning !== undefined && !model.capabilities.has("reasoning") ? { ...chat, reasoning: undefined } : chat;
  return { request, upstreamModel: model.upstreamModel, defaultMaxTokens: model.defaultMaxTokens };
}

/** Normalises anything thrown by an adapter into a ProviderError. */
export function asProviderError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  return new ProviderError({ kind: "invalid_response", reason: "adapter failure", cause: err });
}

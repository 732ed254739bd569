/** Translations between generated proto types and core types; the only place that knows both. */
import { create } from "@bufbuild/protobuf";
import type { Duration } from "@bufbuild/protobuf/wkt";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { formatUsd, splitUsd } from "../accounting/money/money.js";
import type { AttemptRecord, CompletionOutcome, GatewayStreamEvent, ReasoningBlock as CoreReasoning, ToolCall as CoreToolCall } from "../gateway/types.js";
import type { ErrorKind, FinishReason as CoreFinish, Usage as CoreUsage, UsageBasis as CoreBasis } from "../gateway/types.js";
import type { CompleteResponse, StreamCompleteResponse } from "../../gen/llmgateway/v1/gateway_pb.js";
import { CompleteResponseSchema, StreamCompleteResponseSchema } from "../../gen/llmgateway/v1/gateway_pb.js";
import type { ReasoningBlock, ToolCall } from "../../gen/llmgateway/v1/content_pb.js";
import { ReasoningBlockSchema, ToolCallSchema } from "../../gen/llmgateway/v1/content_pb.js";
import type { Attempt, Money, Usage } from "../../gen/llmgateway/v1/types_pb.js";
import { AttemptOutcome, AttemptSchema, ErrorKind as PbErrorKind, FinishReason, MoneySchema, UsageBasis, UsageSchema } from "../../gen/llmgateway/v1/types_pb.js";

const FINISH: Record<CoreFinish, FinishReason> = {
  stop: FinishReason.STOP,
  length: FinishReason.LENGTH,
  content_filter: FinishReason.CONTENT_FILTER,
  tool_calls: FinishReason.TOOL_CALLS,
  other: FinishReason.OTHER,
  unspecified: FinishReason.UNSPECIFIED,
};

const KIND: Record<ErrorKind, PbErrorKind> = {
  rate_limited: PbErrorKind.RATE_LIMITED,
  quota_exhausted: PbErrorKind.QUOTA_EXHAUSTED,
  overloaded: PbErrorKind.OVERLOADED,
  server_error: PbErrorKind.SERVER_ERROR,
  timeout: PbErrorKind.TIMEOUT,
  network: PbErrorKind.NETWORK,
  auth: PbErrorKind.AUTH,
  invalid_request: PbErrorKind.INVALID_REQUEST,
  context_too_long: PbErrorKind.CONTEXT_TOO_LONG,
  content_filtered: PbErrorKind.CONTENT_FILTERED,
  invalid_response: PbErrorKind.INVALID_RESPONSE,
  cancelled: PbErrorKind.CANCELLED,
  model_unavailable: PbErrorKind.MODEL_UNAVAILABLE,
  queue_full: PbErrorKind.QUEUE_FULL,
};

const BASIS: Record<CoreBasis, UsageBasis> = { reported: UsageBasis.REPORTED, bounded: UsageBasis.BOUNDED, estimated: UsageBasis.ESTIMATED };

const OUTCOME = { succeeded: AttemptOutcome.SUCCEEDED, failed: AttemptOutcome.FAILED, aborted: AttemptOutcome.ABORTED } as const;

/** Exact pico-dollars -> Money. */
export function toMoney(picos: bigint): Money {
  const { units, picoUnits } = splitUsd(picos);
  return create(MoneySchema, { units, picoUnits, decimal: formatUsd(picos) });
}

/** Milliseconds -> Duration. */
export function toDuration(ms: number): Duration {
  const nanos = Math.round(Math.max(0, ms) * 1e6);
  return create(DurationSchema, { seconds: BigInt(Math.floor(nanos / 1e9)), nanos: nanos % 1e9 });
}

/** Core usage -> proto usage, keeping absent counts absent. */
export function toUsage(u: CoreUsage): Usage {
  const big = (n: number | undefined): bigint | undefined => (n === undefined ? undefined : BigInt(n));
  return create(UsageSchema, {
    inputTokens: big(u.inputTokens),
    outputTokens: big(u.outputTokens),
    cachedInputTokens: big(u.cachedInputTokens),
    cacheWriteTokens: big(u.cacheWriteTokens),
    reasoningTokens: big(u.reasoningTokens),
    imageInputTokens: big(u.imageInputTokens),
  });
}

/** One attempt record -> proto. */
export function toAttempt(a: AttemptRecord): Attempt {
  return create(AttemptSchema, {
    number: a.number,
    model: a.model,
    provider: a.provider,
    outcome: OUTCOME[a.outcome],
    errorKind: a.errorKind === undefined ? PbErrorKind.UNSPECIFIED : KIND[a.errorKind],
    httpStatus: a.httpStatus ?? 0,
    reason: a.reason,
    latency: toDuration(a.latencyMs),
    timeToFirstToken: a.ttftMs === undefined ? undefined : toDuration(a.ttftMs),
    hedge: a.hedge,
    usage: toUsage(a.usage),
    cost: toMoney(a.costPicos),
    usageBasis: BASIS[a.usageBasis],
  });
}

/** A tool call -> proto. */
export function toToolCall(c: CoreToolCall): ToolCall {
  return create(ToolCallSchema, { id: c.id, name: c.name, arguments: c.arguments, signature: c.signature ?? "" });
}

/** A reasoning block -> proto. */
export function toReasoningBlock(b: CoreReasoning): ReasoningBlock {
  return create(ReasoningBlockSchema, { format: b.format, text: b.text ?? "", signature: b.signature ?? "", redacted: b.redacted ?? "" });
}

/** One event of a streamed completion -> proto. */
export function toStreamMessage(ev: GatewayStreamEvent): StreamCompleteResponse {
  switch (ev.type) {
    case "delta":
      return create(StreamCompleteResponseSchema, { event: { case: "delta", value: { text: ev.text } } });
    case "reasoning":
      return create(StreamCompleteResponseSchema, { event: { case: "reasoning", value: { text: ev.text } } });
    case "tool_call": {
      const { index, id, name, arguments: args } = ev.delta;
      return create(StreamCompleteResponseSchema, { event: { case: "toolCall", value: { index, id: id ?? "", name: name ?? "", arguments: args } } });
    }
    case "reasoning_block":
      return create(StreamCompleteResponseSchema, { event: { case: "reasoningBlock", value: toReasoningBlock(ev.block) } });
    case "done":
      return create(StreamCompleteResponseSchema, { event: { case: "summary", value: toCompleteResponse(ev.outcome) } });
  }
}

/** A finished completion -> CompleteResponse (text empty for the summary of a stream). */
export function toCompleteResponse(o: CompletionOutcome): CompleteResponse {
  return create(CompleteResponseSchema, {
    requestId: o.requestId,
    text: o.text,
    finishReason: FINISH[o.finishReason],
    model: o.model,
    provider: o.provider,
    upstreamModel: o.responseModel ?? "",
    route: o.route ?? "",
    usage: toUsage(o.usage),
    cost: toMoney(o.costPicos),
    attempts: o.attempts.map(toAttempt),
    toolCalls: o.toolCalls.map(toToolCall),
    refusal: o.refusal ?? "",
    reasoning: o.reasoning.map(toReasoningBlock),
  });
}

/**
 * The gateway's extras on the HTTP doors, as headers named once here: request tags, a complexity hint and a
 * request id in; the served model and provider, the attempts, the cost and the gateway's own overhead out.
 */
import { randomUUID } from "node:crypto";
import type { Duration } from "@bufbuild/protobuf/wkt";
import { Complexity } from "../../../gen/llmgateway/v1/types_pb.js";
import type { CompleteResponse } from "../../../gen/llmgateway/v1/gateway_pb.js";
import { badRequest } from "./door-fault.js";
import type { DoorCall } from "./door-call.js";

/** The header names of the extras. */
export const EXTRA_HEADERS = {
  /** In: tags for cost attribution, `key=value` pairs separated by commas (values may be percent-encoded). */
  tags: "x-llmgateway-tags",
  /** In: a complexity hint for the complexity strategy: simple, medium or complex. */
  complexity: "x-llmgateway-complexity",
  /** In and out: the request id (made by the gateway when absent). */
  requestId: "x-request-id",
  /** Out: the catalogue model that answered. */
  model: "x-llmgateway-model",
  /** Out: the provider that answered. */
  provider: "x-llmgateway-provider",
  /** Out: how many provider attempts the request took. */
  attempts: "x-llmgateway-attempts",
  /** Out: what the request cost, every attempt included, in US dollars (exact decimal). */
  cost: "x-llmgateway-cost-usd",
  /** Out: the gateway's own time, ms: the whole request less the time spent in provider attempts. */
  overhead: "x-llmgateway-overhead-ms",
} as const;

/** What the extras read from an answer (a completion's or an embedding's). */
export type Answered = Pick<CompleteResponse, "requestId" | "model" | "provider" | "attempts" | "cost">;

/** What the extras put into a request. */
export interface RequestExtras {
  readonly tags: Record<string, string>;
  readonly complexity: Complexity;
  readonly requestId: string;
}

const COMPLEXITY: Record<string, Complexity> = { simple: Complexity.SIMPLE, medium: Complexity.MEDIUM, complex: Complexity.COMPLEX };

/** Reads the extras from a call's headers (and gives the call its request id); a malformed one is a 400 naming the header. */
export function requestExtras(call: DoorCall): RequestExtras {
  call.requestId = call.header(EXTRA_HEADERS.requestId) ?? randomUUID();
  const tags: Record<string, string> = {};
  const rawTags = call.header(EXTRA_HEADERS.tags);
  if (rawTags !== null && rawTags.trim() !== "") {
    for (const pair of rawTags.split(",")) {
      const eq = pair.indexOf("=");
      if (eq <= 0) throw badRequest(EXTRA_HEADERS.tags, `"${pair.trim().slice(0, 64)}" is not key=value`);
      try {
        tags[decodeURIComponent(pair.slice(0, eq).trim())] = decodeURIComponent(pair.slice(eq + 1).trim());
      } catch {
        throw badRequest(EXTRA_HEADERS.tags, "holds a malformed percent-encoding");
      }
    }
  }
  const rawComplexity = call.header(EXTRA_HEADERS.complexity);
  let complexity = Complexity.UNSPECIFIED;
  if (rawComplexity !== null) {
    const c = COMPLEXITY[rawComplexity.trim().toLowerCase()];
    if (c === undefined) throw badRequest(EXTRA_HEADERS.complexity, "must be simple, medium or complex");
    complexity = c;
  }
  return { tags, complexity, requestId: call.requestId };
}

function ms(d: Duration | undefined): number {
  return d === undefined ? 0 : Number(d.seconds) * 1000 + d.nanos / 1e6;
}

/** The gateway's own time for an answer: elapsed since the door took the call, less the provider attempts. */
export function overheadMs(res: Answered, startedAt: number): number {
  let upstream = 0;
  for (const a of res.attempts) upstream += ms(a.latency);
  return Math.max(0, performance.now() - startedAt - upstream);
}

/** The extras of an answer, as response headers. */
export function answerHeaders(res: Answered, startedAt: number): Record<string, string> {
  return {
    [EXTRA_HEADERS.requestId]: res.requestId,
    [EXTRA_HEADERS.model]: res.model,
    [EXTRA_HEADERS.provider]: res.provider,
    [EXTRA_HEADERS.attempts]: String(res.attempts.length),
    [EXTRA_HEADERS.cost]: res.cost?.decimal ?? "0",
    [EXTRA_HEADERS.overhead]: overheadMs(res, startedAt).toFixed(3),
  };
}

/** The extras of a streamed answer, for its last event (headers are gone by then): the same names, without the prefix. */
export function answerFields(res: Answered, startedAt: number): Record<string, string | number> {
  return { request_id: res.requestId, model: res.model, provider: res.provider, attempts: res.attempts.length, cost_usd: res.cost?.decimal ?? "0", overhead_ms: Number(overheadMs(res, startedAt).toFixed(3)) };
}

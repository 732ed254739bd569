/** Helpers for scenario tests: request builders, a bounded-concurrency runner, stream collection. */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import type { Client } from "@connectrpc/connect";
import type { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";
import type { CompleteRequestSchema, CompleteResponse } from "../../gen/llmgateway/v1/gateway_pb.js";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import type { Attempt } from "../../gen/llmgateway/v1/types_pb.js";

/** A client of the gateway service. */
export type GatewayClient = Client<typeof GatewayService>;

/** A Complete request as the client builds it. */
export type RequestInit = MessageInitShape<typeof CompleteRequestSchema>;

/** A one-message request for `model`. */
export function ask(model: string, content = "Say hello.", maxTokens?: number): RequestInit {
  return { model, messages: [{ role: Role.USER, content }], ...(maxTokens !== undefined ? { maxTokens } : {}) };
}

/** Runs `total` tasks with at most `concurrency` in flight; returns results in task order. */
export async function runMany<T>(total: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(total);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < total; i = next++) results[i] = await task(i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return results;
}

/** What a streamed call produced: the text, the summary (when it ended cleanly) or the error. */
export interface StreamResult {
  readonly text: string;
  readonly deltas: number;
  readonly summary: CompleteResponse | undefined;
  readonly error: ConnectError | undefined;
}

/** Reads a whole StreamComplete call. */
export async function collectStream(client: GatewayClient, request: RequestInit): Promise<StreamResult> {
  let text = "";
  let deltas = 0;
  let summary: CompleteResponse | undefined;
  try {
    for await (const msg of client.streamComplete({ request })) {
      if (msg.event.case === "delta") {
        text += msg.event.value.text;
        deltas++;
      } else if (msg.event.case === "summary") summary = msg.event.value;
    }
    return { text, deltas, summary, error: undefined };
  } catch (err) {
    return { text, deltas, summary, error: ConnectError.from(err) };
  }
}

/** Calls Complete and returns the response or the ConnectError. */
export async function tryComplete(client: GatewayClient, request: RequestInit): Promise<CompleteResponse | ConnectError> {
  try {
    return await client.complete(request);
  } catch (err) {
    return ConnectError.from(err);
  }
}

/** The attempts in a ConnectError's AttemptFailures detail. */
export { attemptsOf } from "./attempt-details.js";

/** "model:outcome" per attempt, for compact assertions. */
export function attemptSummary(attempts: readonly Attempt[]): string[] {
  return attempts.map((a) => `${a.model}:${a.outcome}${a.hedge ? ":hedge" : ""}`);
}

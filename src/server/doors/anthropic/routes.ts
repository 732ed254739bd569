/**
 * The Anthropic-compatible door: `POST /v1/messages`, unary and streamed, with the client key in `x-api-key`
 * (or `authorization: Bearer`). It translates into the same Complete / StreamComplete calls as the gRPC contract.
 */
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { CompleteResponseSchema, StreamCompleteRequestSchema, StreamCompleteResponseSchema } from "../../../../gen/llmgateway/v1/gateway_pb.js";
import type { DoorCall } from "../door-call.js";
import { DoorFault } from "../door-fault.js";
import type { DoorRoute } from "../doors.js";
import { answerFields, answerHeaders, EXTRA_HEADERS, requestExtras } from "../extras.js";
import { errorBody, errorHeaders } from "./errors.js";
import { toDoorRequest } from "./request.js";
import type { DoorRequest } from "./request.js";
import { toAnthropicMessage } from "./response.js";
import { AnthropicStreamEncoder, sseEvent } from "./stream.js";

/** What a call's refusal needs besides its request id: where its messages came from, and its encoder once streaming. */
interface CallState {
  at: readonly string[];
  encoder: AnthropicStreamEncoder | undefined;
}

const states = new WeakMap<DoorCall, CallState>();

/** The routes of the Anthropic door. */
export function anthropicRoutes(): DoorRoute[] {
  return [{ method: "POST", path: "/v1/messages", options: { keyHeader: "x-api-key" }, serve: serveMessages, refuse }];
}

async function serveMessages(call: DoorCall): Promise<void> {
  const state: CallState = { at: [], encoder: undefined };
  states.set(call, state);
  // Gives the call its request id (the client's x-request-id, else a new one) before anything can fail.
  const extras = requestExtras(call);
  const door = toDoorRequest(await call.json(), extras);
  state.at = door.at;
  if (door.stream) await stream(call, door, state);
  else await unary(call, door);
}

async function unary(call: DoorCall, door: DoorRequest): Promise<void> {
  const res = await call.unary("complete", door.request, CompleteResponseSchema);
  const headers = { "content-type": "application/json", "request-id": res.requestId, ...answerHeaders(res, call.startedAt) };
  call.send(200, headers, JSON.stringify(toAnthropicMessage(res)));
}

async function stream(call: DoorCall, door: DoorRequest, state: CallState): Promise<void> {
  const input = create(StreamCompleteRequestSchema, { request: door.request });
  const it = await call.stream("streamComplete", input, StreamCompleteResponseSchema);
  try {
    // Nothing is written before the first message: until then a failure is still an HTTP error status.
    let next = await it.next();
    if (call.closed) return;
    const encoder = new AnthropicStreamEncoder({ model: door.request.model, requestId: call.requestId, extras: (s) => answerFields(s, call.startedAt), now: () => performance.now() });
    call.beginEvents({ "request-id": call.requestId, [EXTRA_HEADERS.requestId]: call.requestId });
    state.encoder = encoder;
    while (!next.done) {
      const text = encoder.push(next.value);
      if (text !== "") await call.write(text);
      if (call.closed || encoder.finished) break;
      next = await it.next();
    }
    if (call.closed) return;
    if (!encoder.finished) throw new DoorFault(502, Code.Internal, "the stream ended without its summary");
    call.finish();
  } finally {
    // A client that went away (or a finished answer): stop the service's stream, which stops the upstream call.
    await it.return?.(undefined);
  }
}

/** Writes a refusal: an error status with Anthropic's error JSON, or an `error` event inside a started stream. */
function refuse(call: DoorCall, fault: DoorFault): void {
  if (call.closed) return;
  const state = states.get(call);
  const requestId = call.requestId || randomUUID();
  const body = errorBody(fault, requestId, state?.at ?? []);
  if (call.started) {
    const text = state?.encoder?.error(body) ?? sseEvent("error", body);
    void call.write(text).then(() => call.finish());
    return;
  }
  call.send(fault.status, errorHeaders(fault, requestId), JSON.stringify(body));
}

/** `POST /v1/chat/completions`: one answer as a chat.completion, or a stream of chunks; both through StreamComplete's commit point. */
import { create } from "@bufbuild/protobuf";
import { CompleteResponseSchema, StreamCompleteRequestSchema, StreamCompleteResponseSchema } from "../../../../gen/llmgateway/v1/gateway_pb.js";
import type { DoorCall } from "../door-call.js";
import { answerFields, answerHeaders, EXTRA_HEADERS, requestExtras } from "../extras.js";
import { toChatCompletion } from "./chat-response.js";
import { toChatRequest } from "./chat-request.js";
import { ChunkEncoder } from "./chat-stream.js";

/** Serves one chat completion. */
export async function serveChat(call: DoorCall): Promise<void> {
  const extras = requestExtras(call);
  const chat = toChatRequest(await call.json(), extras);
  const id = `chatcmpl-${call.requestId}`;
  const created = Math.floor(Date.now() / 1000);
  if (!chat.stream) {
    const res = await call.unary("complete", chat.request, CompleteResponseSchema);
    call.send(200, { "content-type": "application/json", ...answerHeaders(res, call.startedAt) }, JSON.stringify(toChatCompletion(res, id, created)));
    return;
  }
  const events = await call.stream("streamComplete", create(StreamCompleteRequestSchema, { request: chat.request }), StreamCompleteResponseSchema);
  const encoder = new ChunkEncoder(id, created, chat.request.model, chat.includeUsage, (summary) => answerFields(summary, call.startedAt));
  let done = false;
  try {
    // The first message comes once a provider is committed: a failure before it is still an HTTP status.
    for (let step = await events.next(); !step.done; step = await events.next()) {
      if (call.closed) return;
      if (!call.started) call.beginEvents({ [EXTRA_HEADERS.requestId]: call.requestId });
      await call.write(encoder.encode(step.value));
    }
    done = true;
  } finally {
    // A client gone mid-stream: end the source so its upstream call stops now.
    if (!done) await events.return?.();
  }
  call.finish();
}

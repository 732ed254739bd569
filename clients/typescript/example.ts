/**
 * Calls the LLM gateway with the generated TypeScript client (gen/, Connect-ES over gRPC): a completion, a streamed
 * one, a tool call, a failed call's AttemptFailures detail and the cost report. Prints key=value lines.
 *
 *   npx tsc -p clients/typescript && node dist/clients/typescript/example.js
 *
 * Settings: LLMGATEWAY_ADDRESS (127.0.0.1:50051), LLMGATEWAY_KEY (a client key, sent as "authorization: Bearer"),
 * LLMGATEWAY_MODEL (auto), LLMGATEWAY_FAILING_MODEL (no-such-model).
 */
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import type { CallOptions } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";
import { AttemptFailuresSchema, ErrorKind, FinishReason, Role } from "../../gen/llmgateway/v1/types_pb.js";

const env = (name: string, fallback: string): string => process.env[name] || fallback;
const model = env("LLMGATEWAY_MODEL", "auto");
const key = env("LLMGATEWAY_KEY", "");
const client = createClient(GatewayService, createGrpcTransport({ baseUrl: `http://${env("LLMGATEWAY_ADDRESS", "127.0.0.1:50051")}` }));
// Every call carries the client key and a 10-second deadline (sent as grpc-timeout).
const opts: CallOptions = { timeoutMs: 10_000, headers: key ? { authorization: `Bearer ${key}` } : {} };
const user = (content: string) => [{ role: Role.USER, content }];
const finish = (r: FinishReason) => `FINISH_REASON_${FinishReason[r]}`;

const req = { model, messages: user("Hello from TypeScript"), maxTokens: 6, tags: { client: "typescript" } };
const res = await client.complete(req, opts);
console.log(`unary.text=${res.text}\nunary.finish=${finish(res.finishReason)}`);
console.log(`unary.output_tokens=${res.usage?.outputTokens}\nunary.cost=${res.cost?.decimal}`);

let text = "";
let deltas = 0;
for await (const msg of client.streamComplete({ request: req }, opts)) {
  if (msg.event.case === "delta") {
    text += msg.event.value.text;
    deltas++;
  } else if (msg.event.case === "summary") {
    console.log(`stream.finish=${finish(msg.event.value.finishReason)}\nstream.cost=${msg.event.value.cost?.decimal}`);
  }
}
console.log(`stream.text=${text}\nstream.deltas=${deltas}`);

const weather = {
  name: "get_weather",
  description: "Current weather in a city",
  parameters: JSON.stringify({ type: "object", properties: { city: { type: "string" } }, required: ["city"] }),
};
const tool = await client.complete({ model, messages: user("What is the weather in Paris?"), tools: [weather] }, opts);
console.log(`tool.finish=${finish(tool.finishReason)}\ntool.cost=${tool.cost?.decimal}`);
for (const call of tool.toolCalls) console.log(`tool.name=${call.name}\ntool.arguments=${call.arguments}`);

// A failed call: findDetails decodes grpc-status-details-bin (google.rpc.Status) and picks AttemptFailures.
try {
  await client.complete({ model: env("LLMGATEWAY_FAILING_MODEL", "no-such-model"), messages: user("hi") }, opts);
} catch (e) {
  const err = ConnectError.from(e);
  console.log(`error.code=${Code[err.code]}\nerror.message=${err.rawMessage}`);
  const kinds = err.findDetails(AttemptFailuresSchema).flatMap((f) => f.attempts.map((a) => `ERROR_KIND_${ErrorKind[a.errorKind]}`));
  console.log(`error.attempts=${kinds.length}\nerror.kinds=${kinds.join(",")}`);
}

const total = (await client.getCostReport({}, opts)).total;
console.log(`report.requests=${total?.requests}\nreport.failures=${total?.failures}`);
console.log(`report.output_tokens=${total?.outputTokens}\nreport.cost=${total?.cost?.decimal}`);

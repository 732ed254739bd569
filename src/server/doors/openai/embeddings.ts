/**
 * `POST /v1/embeddings` -> the Embed RPC. Vectors come back as floats or, as the official Node SDK asks by default,
 * base64 of little-endian float32. `usage` is required by the SDK: when the provider reported none (Gemini), it is the
 * serving attempt's estimate, and `x-llmgateway-usage-basis` says so.
 */
import { create } from "@bufbuild/protobuf";
import { EmbedRequestSchema, EmbedResponseSchema } from "../../../../gen/llmgateway/v1/embeddings_pb.js";
import type { EmbedResponse } from "../../../../gen/llmgateway/v1/embeddings_pb.js";
import { UsageBasis } from "../../../../gen/llmgateway/v1/types_pb.js";
import type { DoorCall } from "../door-call.js";
import { badRequest } from "../door-fault.js";
import { answerHeaders, requestExtras } from "../extras.js";
import { array, integer, object, onlyKnown, optional, string } from "../json-fields.js";

const KNOWN = new Set(["model", "input", "encoding_format", "dimensions", "user"]);

/** The texts of `input`: a string or an array of strings (token arrays are not carried by the contract). */
function inputs(value: unknown): string[] {
  if (value === undefined) throw badRequest("input", "is required");
  if (typeof value === "string") return [value];
  return array(value, "input").map((v, i) => {
    if (typeof v === "number" || Array.isArray(v)) throw badRequest("input", "token arrays are not supported by the gateway; send text");
    return string(v, `input[${i}]`);
  });
}

/** A vector as base64 of little-endian float32, as OpenAI sends it. */
export function base64Vector(values: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(values.length * 4);
  for (let i = 0; i < values.length; i++) bytes.writeFloatLE(values[i] ?? 0, i * 4);
  return bytes.toString("base64");
}

/** The tokens an answer is billed for: the provider's count, else the serving attempt's estimate. */
function promptTokens(res: EmbedResponse): { tokens: number; basis: string } {
  if (res.usage?.inputTokens !== undefined) return { tokens: Number(res.usage.inputTokens), basis: "reported" };
  const served = res.attempts.at(-1);
  const estimated = served?.usage?.inputTokens;
  return { tokens: estimated === undefined ? 0 : Number(estimated), basis: served?.usageBasis === UsageBasis.ESTIMATED ? "estimated" : "unknown" };
}

/** Serves one embeddings request. */
export async function serveEmbeddings(call: DoorCall): Promise<void> {
  const extras = requestExtras(call);
  const body = object(await call.json(), "body");
  onlyKnown(body, KNOWN, "", () => "unrecognized request argument supplied");
  const format = optional(body, "encoding_format", string) ?? "float";
  if (format !== "float" && format !== "base64") throw badRequest("encoding_format", "must be float or base64");
  const request = create(EmbedRequestSchema, {
    model: string(body["model"], "model"),
    inputs: inputs(body["input"]),
    dimensions: optional(body, "dimensions", integer),
    tags: extras.tags,
    requestId: extras.requestId,
  });
  const res = await call.unary("embed", request, EmbedResponseSchema);
  const usage = promptTokens(res);
  const data = res.embeddings.map((e) => ({ object: "embedding", index: e.index, embedding: format === "base64" ? base64Vector(e.values) : e.values }));
  const answer = { object: "list", data, model: res.model, usage: { prompt_tokens: usage.tokens, total_tokens: usage.tokens } };
  call.send(200, { "content-type": "application/json", "x-llmgateway-usage-basis": usage.basis, ...answerHeaders(res, call.startedAt) }, JSON.stringify(answer));
}

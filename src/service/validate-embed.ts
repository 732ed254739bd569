/** Validation of an EmbedRequest: every problem becomes INVALID_ARGUMENT naming the field. */
import { randomUUID } from "node:crypto";
import { embedRequest } from "../gateway/embed/embed-request.js";
import type { GatewayRequest } from "../gateway/types.js";
import type { EmbedRequest } from "../../gen/llmgateway/v1/embeddings_pb.js";
import { invalid, LIMITS } from "./limits.js";
import { checkModel, checkRequestId, checkTags } from "./validate-common.js";

/** Bounds of an embeddings request (OpenAI's batch limit; the total as a chat request's content). */
export const EMBED_LIMITS = {
  maxInputs: 2048,
  maxTotalChars: LIMITS.maxContentChars,
  maxDimensions: 65_536,
} as const;

/** Validates an EmbedRequest and translates it to the core request. */
export function toEmbedRequest(req: EmbedRequest): GatewayRequest {
  checkModel(req.model, "model");
  if (req.inputs.length === 0) throw invalid("inputs", "must contain at least one text");
  if (req.inputs.length > EMBED_LIMITS.maxInputs) throw invalid("inputs", `must contain at most ${EMBED_LIMITS.maxInputs} texts`);
  let total = 0;
  req.inputs.forEach((text, i) => {
    if (text.length === 0) throw invalid(`inputs[${i}]`, "is empty");
    total += text.length;
    if (total > EMBED_LIMITS.maxTotalChars) throw invalid(`inputs[${i}]`, `brings the batch over ${EMBED_LIMITS.maxTotalChars} characters`);
  });
  if (req.dimensions !== undefined && (req.dimensions < 1 || req.dimensions > EMBED_LIMITS.maxDimensions)) {
    throw invalid("dimensions", `must be from 1 to ${EMBED_LIMITS.maxDimensions}`);
  }
  checkTags(req.tags, (name) => name);
  checkRequestId(req.requestId, "request_id");
  return embedRequest({ target: req.model, inputs: [...req.inputs], dimensions: req.dimensions, tags: { ...req.tags }, requestId: req.requestId || randomUUID() });
}

/** The one place a gateway outcome becomes a gRPC status (with the attempts as a typed detail). */
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { GatewayError } from "../gateway/types.js";
import type { GatewayErrorCode } from "../gateway/types.js";
import { AttemptFailuresSchema } from "../../gen/llmgateway/v1/types_pb.js";
import { toAttempt } from "./convert.js";

const CODES: Record<GatewayErrorCode, Code> = {
  invalid_argument: Code.InvalidArgument,
  not_found: Code.NotFound,
  permission_denied: Code.PermissionDenied,
  unauthenticated: Code.Unauthenticated,
  resource_exhausted: Code.ResourceExhausted,
  unavailable: Code.Unavailable,
  deadline_exceeded: Code.DeadlineExceeded,
  cancelled: Code.Canceled,
  failed_precondition: Code.FailedPrecondition,
  internal: Code.Internal,
};

/**
 * Maps anything a handler caught to a ConnectError; unknown errors become INTERNAL without their message. Its
 * metadata (trailers on gRPC, headers on Connect) says when to retry (`retry-after`, whole seconds, when known) and why
 * admission refused (`llmgateway-refusal`: budget_exceeded, key_rpm, ...), so that clients and the HTTP doors can tell
 * a wait from a wall.
 */
export function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  if (err instanceof GatewayError) {
    const details = err.attempts.length > 0 ? [{ desc: AttemptFailuresSchema, value: create(AttemptFailuresSchema, { attempts: err.attempts.map(toAttempt) }) }] : [];
    const metadata = new Headers();
    if (err.retryAfterMs !== undefined) metadata.set("retry-after", String(Math.ceil(err.retryAfterMs / 1000)));
    if (err.refusal !== undefined) metadata.set("llmgateway-refusal", err.refusal);
    return new ConnectError(err.message, CODES[err.code], metadata, details, err);
  }
  return new ConnectError("internal error", Code.Internal, undefined, undefined, err);
}

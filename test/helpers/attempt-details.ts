/** Reads the AttemptFailures detail of a ConnectError. */
import type { ConnectError } from "@connectrpc/connect";
import { AttemptFailuresSchema } from "../../gen/llmgateway/v1/types_pb.js";
import type { Attempt } from "../../gen/llmgateway/v1/types_pb.js";

/** The attempts listed in an error's structured detail (empty when it has none). */
export function attemptsOf(err: ConnectError): Attempt[] {
  return err.findDetails(AttemptFailuresSchema).flatMap((d) => d.attempts);
}

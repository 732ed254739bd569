/**
 * A door's refusal, before it is written in its API's error shape: the HTTP status, the message, the request
 * field it names (`param`), and when to retry. Service errors (ConnectError) are mapped here, once for every door.
 */
import { Code, ConnectError } from "@connectrpc/connect";

/** What went wrong, in terms every HTTP door can write in its own shape. */
export class DoorFault extends Error {
  override readonly name = "DoorFault";
  /** The HTTP status to answer with. */
  readonly status: number;
  /** The gRPC code behind it (INVALID_ARGUMENT for the door's own parsing errors). */
  readonly code: Code;
  /** The request field at fault, in the door's own names, when one is. */
  readonly param: string | null;
  /** Seconds to wait before retrying, when known (a key over its rate limit, every candidate rate limited). */
  readonly retryAfterS: number | undefined;
  /** Why admission refused the request (`budget_exceeded`, `key_rpm`, ...), when it did. */
  readonly refusal: string | undefined;

  constructor(status: number, code: Code, message: string, param: string | null = null, retryAfterS?: number, refusal?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.param = param;
    this.retryAfterS = retryAfterS;
    this.refusal = refusal;
  }
}

/** A 400 naming the offending field. */
export function badRequest(param: string | null, message: string): DoorFault {
  return new DoorFault(400, Code.InvalidArgument, param === null ? message : `${param}: ${message}`, param);
}

const STATUS: Partial<Record<Code, number>> = {
  [Code.InvalidArgument]: 400,
  [Code.FailedPrecondition]: 400,
  [Code.OutOfRange]: 400,
  [Code.Unauthenticated]: 401,
  [Code.PermissionDenied]: 403,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.Aborted]: 409,
  [Code.ResourceExhausted]: 429,
  [Code.Canceled]: 499,
  [Code.Unimplemented]: 501,
  [Code.Unavailable]: 503,
  [Code.DeadlineExceeded]: 504,
};

/** The field a service message names first ("messages[2].role: must be ..."), if it does. */
const FIELD = /^([A-Za-z_][\w.[\]"-]*): /;

/** Maps anything a door caught to a fault; unknown errors become a 500 without their message. */
export function faultOf(err: unknown): DoorFault {
  if (err instanceof DoorFault) return err;
  if (!(err instanceof ConnectError)) return new DoorFault(500, Code.Internal, "internal error");
  const status = STATUS[err.code] ?? 500;
  const message = err.code === Code.Internal ? "internal error" : err.rawMessage;
  const param = err.code === Code.InvalidArgument ? (FIELD.exec(message)?.[1] ?? null) : null;
  const after = Number(err.metadata.get("retry-after") ?? Number.NaN);
  const refusal = err.metadata.get("llmgateway-refusal") ?? undefined;
  return new DoorFault(status, err.code, message, param, Number.isFinite(after) ? after : undefined, refusal);
}

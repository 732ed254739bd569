/** Classifies failures below HTTP (sockets, timeouts, aborts) into the one error model. */
import { ProviderError } from "./errors.js";

const TIMEOUT_CODES = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
  "HPE_INVALID_CONSTANT",
]);

const TIMEOUT_REASON: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: "connect timeout",
  UND_ERR_HEADERS_TIMEOUT: "first byte timeout",
  UND_ERR_BODY_TIMEOUT: "idle timeout between body chunks",
};

/** Maps any error thrown during an HTTP exchange that was not aborted to a ProviderError (passing ProviderErrors through). */
export function classifyTransportError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const code = errorCode(err);
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new ProviderError({ kind: "timeout", reason: TIMEOUT_REASON[code] ?? "timeout", cause: err });
  }
  if (code !== undefined && (NETWORK_CODES.has(code) || code.startsWith("HPE_"))) {
    return new ProviderError({ kind: "network", reason: `network error ${code}`, cause: err });
  }
  return new ProviderError({ kind: "network", reason: "network error", cause: err });
}

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; depth++) {
    const code = (e as Error & { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = e.cause;
  }
  return undefined;
}

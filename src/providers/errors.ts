import type { Usage } from "./types.js";

/** The closed set of ways a provider attempt can fail. */
export type ErrorKind =
  | "rate_limited"
  | "quota_exhausted"
  | "overloaded"
  | "server_error"
  | "timeout"
  | "network"
  | "auth"
  | "invalid_request"
  | "context_too_long"
  | "content_filtered"
  | "invalid_response"
  | "cancelled"
  | "model_unavailable"
  /** Not sent: the gateway's pool for the provider was full (never the provider's fault). */
  | "queue_full";

/** The kind each HTTP status means for every wire format, before any body-specific override. */
const BY_STATUS: ReadonlyMap<number, ErrorKind> = new Map<number, ErrorKind>([
  [400, "invalid_request"],
  [401, "auth"],
  [402, "quota_exhausted"],
  [403, "auth"],
  // The deployment (model, path or region) does not exist at this provider; another may serve it.
  [404, "model_unavailable"],
  [408, "timeout"],
  [413, "context_too_long"],
  [422, "invalid_request"],
  [429, "rate_limited"],
  [500, "server_error"],
  [503, "overloaded"],
  [504, "timeout"],
  [529, "overloaded"],
]);

/**
 * The kind an HTTP status alone implies: the shared table, then any other 4xx is the request's
 * fault and everything else (5xx, an error inside a 2xx, no status at all) the provider's.
 */
export function kindForStatus(status: number | undefined): ErrorKind {
  const known = status !== undefined ? BY_STATUS.get(status) : undefined;
  if (known !== undefined) return known;
  return status !== undefined && status >= 400 && status < 500 ? "invalid_request" : "server_error";
}

/** Fields of a classified provider failure. */
export interface ProviderErrorInit {
  readonly kind: ErrorKind;
  /** A short, secret-free reason, safe to show to clients. */
  readonly reason: string;
  readonly status?: number;
  /** The provider's own error type or code, e.g. "overloaded_error" ("unknown" when not a plain token). */
  readonly providerType?: string;
  /** How long the provider asked us to wait, in milliseconds. */
  readonly retryAfterMs?: number;
  /** Tokens the provider reported before failing (a stream cut after tokens flowed is billed). */
  readonly usage?: Usage;
  /** The raw cause for logs and spans; never shown to clients. */
  readonly cause?: unknown;
}

/** A provider failure classified into one kind; the only error type adapters throw. */
export class ProviderError extends Error {
  override readonly name = "ProviderError";
  readonly kind: ErrorKind;
  readonly status: number | undefined;
  readonly providerType: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly usage: Usage | undefined;

  constructor(init: ProviderErrorInit) {
    super(init.reason, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.status = init.status;
    this.providerType = init.providerType;
    this.retryAfterMs = init.retryAfterMs;
    this.usage = init.usage;
  }

  /** This error with its client-facing text (reason, provider type) passed through `scrub`; itself when that changes nothing. */
  scrubbed(scrub: (text: string) => string): ProviderError {
    const reason = scrub(this.message);
    const providerType = this.providerType === undefined ? undefined : scrub(this.providerType);
    if (reason === this.message && providerType === this.providerType) return this;
    return new ProviderError({
      kind: this.kind,
      reason,
      status: this.status,
      ...(providerType !== undefined ? { providerType } : {}),
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
      ...(this.usage !== undefined ? { usage: this.usage } : {}),
      cause: this.cause,
    });
  }

  /** A copy of this error that carries the tokens that flowed before it. */
  withUsage(usage: Usage): ProviderError {
    return new ProviderError({
      kind: this.kind,
      reason: this.message,
      status: this.status,
      providerType: this.providerType,
      retryAfterMs: this.retryAfterMs,
      usage,
      cause: this.cause,
    });
  }
}

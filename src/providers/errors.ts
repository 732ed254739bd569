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
  | "cancelled";

/** Kinds that another attempt (same or other deployment) may succeed after. */
const RETRYABLE: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  "rate_limited",
  "overloaded",
  "server_error",
  "timeout",
  "network",
  "auth",
  "quota_exhausted",
  "context_too_long",
  "invalid_response",
]);

/** Kinds that say something about the provider's health (they feed the circuit breaker). */
const PROVIDER_FAULT: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  "overloaded",
  "server_error",
  "timeout",
  "network",
  "auth",
  "invalid_response",
]);

/** True when trying elsewhere may succeed where this attempt failed. */
export function isRetryable(kind: ErrorKind): boolean {
  return RETRYABLE.has(kind);
}

/** True when the failure counts against the deployment's health. */
export function isProviderFault(kind: ErrorKind): boolean {
  return PROVIDER_FAULT.has(kind);
}

/** Fields of a classified provider failure. */
export interface ProviderErrorInit {
  readonly kind: ErrorKind;
  /** A short, secret-free reason, safe to show to clients. */
  readonly reason: string;
  readonly status?: number;
  /** The provider's own error type or code, e.g. "overloaded_error". */
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

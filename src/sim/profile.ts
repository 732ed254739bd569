/** Fault and latency profiles of a simulated provider, and the seeded randomness that drives them. */

/** Error answers the simulator can give, each in the provider's own wire shape. */
export type SimError =
  | "rate_limited"
  | "quota_exhausted"
  | "overloaded"
  | "server_error"
  | "auth"
  | "invalid_request"
  | "context_too_long"
  | "content_filtered";

/** How a simulated endpoint behaves; every field is optional and defaults to a fast, healthy provider. */
export interface SimProfile {
  /** Delay before the response headers, ms: fixed, or uniform in [min, max]. */
  readonly latencyMs?: number | { readonly min: number; readonly max: number };
  /** Delay between streamed chunks, ms. */
  readonly chunkDelayMs?: number;
  /** Fraction (0..1) of requests answered with `error`. */
  readonly errorRate?: number;
  /** The error given by `errorRate` (default server_error). */
  readonly error?: SimError;
  /** Retry-After seconds sent with rate_limited errors. */
  readonly retryAfterS?: number;
  /** Fraction of requests that never answer (until the client gives up). */
  readonly hangRate?: number;
  /** Fraction of streamed requests whose connection is cut after `dropAfterChunks` chunks. */
  readonly dropRate?: number;
  /** Chunks sent before a drop (default 2). */
  readonly dropAfterChunks?: number;
  /** Every request's connection is closed at once, as by a provider that is down. */
  readonly down?: boolean;
  /** Cached input tokens to report (capped by the input). */
  readonly cachedTokens?: number;
  /** Words in the answer when max_tokens allows (default 12). */
  readonly answerWords?: number;
  /** Output tokens to report whatever was sent (a provider whose counts are not to be trusted). */
  readonly reportOutputTokens?: number;
  /** Error messages and headers quote the credential the request sent, as is and encoded (a careless provider), to test redaction. */
  readonly echoKeyInErrors?: boolean;
  /** The error's type or code token is the credential itself (a token the gateway shows clients), to test redaction. */
  readonly echoKeyInLabel?: boolean;
  /** Tool calls per tool-calling turn when the request allows parallel calls (default 1). */
  readonly toolCalls?: number;
  /** Answer JSON that does not match the requested schema (a misbehaving model). */
  readonly invalidJson?: boolean;
  /**
   * The provider's own requests per minute (fixed one-minute windows): every answer carries OpenAI-style
   * x-ratelimit-*-requests headers, and a request over the limit gets a 429 with retry-after.
   */
  readonly rpm?: number;
  /** Seed of the endpoint's random source (default 1), so runs repeat. */
  readonly seed?: number;
}

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same faults. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The latency to wait for one request under a profile. */
export function pickLatency(profile: SimProfile, random: () => number): number {
  const l = profile.latencyMs;
  if (l === undefined) return 0;
  if (typeof l === "number") return l;
  return l.min + random() * (l.max - l.min);
}

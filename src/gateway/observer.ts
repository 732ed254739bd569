/** The gateway's lifecycle events, for telemetry and logs to plug into without the core knowing them (the ledger is no observer: see usage.ts). */
import type { ModelConfig } from "../config/schema.js";
import type { AttemptCloseFacts, AttemptStartFacts } from "../telemetry/attempt-facts.js";
import type { AttemptRecord, GatewayErrorCode, GatewayRequest } from "./types.js";

/**
 * An attempt that is starting: the facts declared once in telemetry/attempt-facts.ts, in the core's own types
 * (the request and the catalogue model), handed to every observer as they are.
 */
export interface AttemptInfo extends AttemptStartFacts {
  readonly request: GatewayRequest;
  readonly model: ModelConfig;
}

/** Extra facts known when an attempt closes. */
export interface AttemptClose extends AttemptCloseFacts {
  /** The raw cause of a failure (a provider's own message, a socket error): for logs only, may hold secrets. */
  readonly cause?: unknown;
}

/** A request that ended, answered or not, with every attempt it made. */
export interface RequestEnd {
  readonly request: GatewayRequest;
  readonly clientKey: string | undefined;
  readonly route: string | undefined;
  readonly streamed: boolean;
  readonly attempts: readonly AttemptRecord[];
  /** "ok" when answered, else the error code the client gets. */
  readonly outcome: "ok" | GatewayErrorCode;
  /** Why admission refused it before any planning, when it did. */
  readonly refusal?: string | undefined;
  /** Wall-clock start, epoch ms. */
  readonly startedAt: number;
  /** Whole request time, ms. */
  readonly totalMs: number;
}

/** Receives lifecycle events; every method must be cheap and must not throw. */
export interface GatewayObserver {
  /** The router's plan: the models considered, in order, and those left out for their context window. */
  planned?(trace: unknown, candidates: readonly string[], tooSmall: readonly string[]): void;
  /** An attempt starts; the returned function is called once when it closes. */
  attemptStarted(info: AttemptInfo): (record: AttemptRecord, close: AttemptClose) => void;
  /** A failed attempt is followed by one on another model. */
  failover(trace: unknown, fromModel: string, toModel: string, reason: string): void;
  /** A failed attempt is followed by another on the same model. */
  retry?(trace: unknown, model: string, reason: string): void;
  /** A hedge starts because the running attempt gave no first answer within the delay. */
  hedgeStarted(trace: unknown, fromModel: string, toModel: string, delayMs: number): void;
  /** The request ended (its ledger rows are being written). */
  requestEnded(end: RequestEnd): void;
}

/** An observer that does nothing. */
export const NO_OBSERVER: GatewayObserver = {
  attemptStarted: () => () => undefined,
  failover: () => undefined,
  hedgeStarted: () => undefined,
  requestEnded: () => undefined,
};

/** Fans events out to several observers. */
export function composeObservers(observers: readonly GatewayObserver[]): GatewayObserver {
  if (observers.length === 0) return NO_OBSERVER;
  if (observers.length === 1 && observers[0]) return observers[0];
  return {
    planned: (trace, candidates, tooSmall) => observers.forEach((o) => o.planned?.(trace, candidates, tooSmall)),
    attemptStarted(info) {
      const closers = observers.map((o) => o.attemptStarted(info));
      return (record, close) => closers.forEach((c) => c(record, close));
    },
    failover: (trace, from, to, reason) => observers.forEach((o) => o.failover(trace, from, to, reason)),
    retry: (trace, model, reason) => observers.forEach((o) => o.retry?.(trace, model, reason)),
    hedgeStarted: (trace, from, to, delay) => observers.forEach((o) => o.hedgeStarted(trace, from, to, delay)),
    requestEnded: (end) => observers.forEach((o) => o.requestEnded(end)),
  };
}

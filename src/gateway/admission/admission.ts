/**
 * Admission, the core's first step: what a client key may do (which models, how fast, how much), before any
 * planning or provider call. A refusal is a GatewayError with a short reason for the ledger; the request then
 * ends through the same path as any other (ledger row, observers).
 */
import type { BudgetCheck, BudgetSubject } from "../../accounting/budget/budget-guard.js";
import { formatUsd } from "../../accounting/money/money.js";
import type { ClientKeyConfig } from "../../config/auth.js";
import type { GatewayConfig } from "../../config/schema.js";
import type { Clock } from "../clock.js";
import { contextTokens } from "../routing/estimate.js";
import type { RequestEnd } from "../observer.js";
import { GatewayError } from "../types.js";
import type { GatewayRequest } from "../types.js";
import type { KeyLimitRefusal, KeyState } from "./key-state.js";

/** This month's spend against budgets, as admission reads it. */
export interface BudgetView {
  /** The first exhausted budget of the request's subject, or ok. */
  checkRequest(subject: BudgetSubject, nowMs: number): BudgetCheck;
}

/** What admission reads and keeps. */
export interface AdmissionDeps {
  readonly config: GatewayConfig;
  readonly clock: Clock;
  /** Per-key limits (in process, or shared by replicas). */
  readonly keys: KeyState;
  /** Monthly budgets; none: no budget is enforced. */
  readonly budgets?: BudgetView | undefined;
}

/** Admission of requests per client key: a known target, allowed to the key, within its limits and budget. */
export class Admission {
  readonly #deps: AdmissionDeps;
  /** Tokens taken from a key's TPM at admission, per admitted request, until the request ends. */
  readonly #reserved = new WeakMap<GatewayRequest, number>();

  constructor(deps: AdmissionDeps) {
    this.#deps = deps;
  }

  /**
   * Admits a request of `key` (undefined when auth is off): returns it with the key's tags (which win over the
   * request's) and allow-list, having taken its request and tokens from the key's limits; throws the refusal.
   */
  admit(key: ClientKeyConfig | undefined, raw: GatewayRequest): GatewayRequest {
    const req: GatewayRequest = key ? { ...raw, tags: { ...raw.tags, ...key.tags }, allowed: key.allow } : raw;
    const { models, routes } = this.#deps.config;
    if (!models.has(req.target) && !routes.has(req.target)) {
      const visible = (names: Iterable<string>): string => [...names].filter((n) => key?.allow?.has(n) ?? true).join(", ") || "none";
      throw new Refusal("not_found", `unknown model or route "${req.target}"; models: ${visible(models.keys())}; routes: ${visible(routes.keys())}`, "not_found", req);
    }
    if (key?.allow && !key.allow.has(req.target)) {
      throw new Refusal("permission_denied", `client key ${key.id} may not use "${req.target}"; it may use: ${[...key.allow].join(", ")}`, "permission_denied", req);
    }
    const verdict = this.#deps.budgets?.checkRequest({ clientKey: key?.id, tags: req.tags }, this.#deps.clock.now());
    if (verdict && !verdict.ok) {
      const resets = new Date(verdict.resetsAt).toISOString();
      throw new Refusal("resource_exhausted", `monthly budget ${verdict.scope} is spent ($${formatUsd(verdict.spentPicos)} of $${formatUsd(verdict.budgetPicos)}); it resets at ${resets}`, "budget_exceeded", req);
    }
    if (key) {
      const tokens = key.tpm === undefined ? 0 : contextTokens(req.chat);
      const limit = this.#deps.keys.take(key, tokens, this.#deps.clock.monotonic());
      if (limit) throw overLimit(key, limit, req);
      if (tokens > 0) this.#reserved.set(req, tokens);
    }
    return req;
  }

  /**
   * Counts a cost report against the key's requests per minute (a report costs the gateway too); throws
   * RESOURCE_EXHAUSTED when they are spent. Reports are not completions: nothing is written to the ledger.
   */
  admitReport(key: ClientKeyConfig | undefined): void {
    if (key?.rpm === undefined) return;
    const limit = this.#deps.keys.take(key, 0, this.#deps.clock.monotonic());
    if (limit) throw overLimit(key, limit, undefined);
  }

  /** Settles what a finished request took from its key's TPM at admission with the tokens its attempts used. */
  settle(end: RequestEnd): void {
    const reserved = this.#reserved.get(end.request);
    if (reserved === undefined || end.clientKey === undefined) return;
    this.#reserved.delete(end.request);
    let used = 0;
    let unknown = false;
    for (const a of end.attempts) {
      used += (a.usage.inputTokens ?? 0) + (a.usage.outputTokens ?? 0);
      unknown ||= a.usageUnknown;
    }
    this.#deps.keys.settle(end.clientKey, reserved, used, unknown, this.#deps.clock.monotonic());
  }
}

/** A refusal at admission: the client's status and message, the ledger's short reason, the request it refused. */
export class Refusal extends GatewayError {
  /** The request as admission saw it (with the key's tags), for the ledger row. */
  readonly request: GatewayRequest | undefined;

  constructor(code: GatewayError["code"], message: string, reason: string, request: GatewayRequest | undefined) {
    super(code, message, [], reason);
    this.request = request;
  }
}

/** The refusal of a key over one of its per-minute limits. */
function overLimit(key: ClientKeyConfig, limit: KeyLimitRefusal, req: GatewayRequest | undefined): Refusal {
  const waitS = Math.ceil(limit.retryInMs / 1000);
  const reason = limit.limit === "requests" ? "key_rpm" : "key_tpm";
  return new Refusal("resource_exhausted", `client key ${key.id} is over its limit of ${limit.capacity} ${limit.limit} per minute; retry in ${waitS} s`, reason, req);
}

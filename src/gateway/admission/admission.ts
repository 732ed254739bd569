/**
 * Admission, the core's first step: what a client key may do (which models, how fast, how much), before any
 * planning or provider call. A refusal is a GatewayError with a short reason for the ledger; the request then
 * ends through the same path as every other request (ledger row, observers).
 */
import type { BudgetReservation, BudgetReserve } from "../../accounting/budget/budget-guard.js";
import { formatUsd } from "../../accounting/money/money.js";
import type { ClientKeyConfig } from "../../config/auth.js";
import type { GatewayConfig } from "../../config/schema.js";
import type { Clock } from "../clock.js";
import { contextTokens, estimateCostPicos } from "../routing/estimate.js";
import { resolve } from "../routing/router.js";
import type { RequestEnd } from "../observer.js";
import { GatewayError } from "../types.js";
import type { GatewayRequest } from "../types.js";
import type { BudgetView, KeyLimitRefusal, KeyState } from "../shared/shared-state.js";
import { StateUnavailableError } from "../shared/shared-state.js";
import { wrongKind } from "../embed/kind.js";

export type { BudgetView } from "../shared/shared-state.js";

/** What an admitted request holds until it ends. */
interface Held {
  readonly key: ClientKeyConfig | undefined;
  /** Tokens taken from the key's TPM. */
  readonly tokens: number;
  readonly budget: BudgetReservation | undefined;
}

/** What admission reads and keeps. */
export interface AdmissionDeps {
  readonly config: GatewayConfig;
  readonly clock: Clock;
  /** Per-key limits (in process, or shared by replicas). */
  readonly keys: KeyState;
  /** Monthly budgets; none: no budget is enforced. */
  readonly budgets?: BudgetView | undefined;
  /** Whether the usage ledger can record requests now; none: always. */
  readonly ready?: (() => boolean) | undefined;
}

/** The refusal of every request while the usage ledger can record none (no provider may bill what cannot be accounted). */
export const LEDGER_DOWN = "the usage ledger cannot record requests now (neither the ledger nor its spill journal can write); retry later";

/** The answer of budgets that cannot be read (the shared state is unreachable): the request is refused. */
const UNREADABLE = Symbol("budgets unreadable");

/** What a refusal for unreadable budgets says first. */
const STATE_DOWN = "the shared state that keeps budgets (Redis) cannot be reached";

/** Admission of requests per client key: a known target, allowed to the key, within its limits and budget. */
export class Admission {
  readonly #deps: AdmissionDeps;
  /** What each admitted request took at admission (TPM tokens, budget), until it ends. */
  readonly #held = new WeakMap<GatewayRequest, Held>();

  constructor(deps: AdmissionDeps) {
    this.#deps = deps;
  }

  /**
   * Admits a request of `key` (undefined when auth is off): returns it with the key's tags (which win over the
   * request's) and allow-list, having taken its request and tokens from the key's limits; throws the refusal.
   */
  async admit(key: ClientKeyConfig | undefined, raw: GatewayRequest): Promise<GatewayRequest> {
    const req: GatewayRequest = key ? { ...raw, tags: { ...raw.tags, ...key.tags }, allowed: key.allow } : raw;
    if (this.#deps.ready?.() === false) throw new Refusal("unavailable", LEDGER_DOWN, "ledger_unavailable", req);
    const { models, routes } = this.#deps.config;
    if (!models.has(req.target) && !routes.has(req.target)) {
      const visible = (names: Iterable<string>): string => [...names].filter((n) => key?.allow?.has(n) ?? true).join(", ") || "none";
      throw new Refusal("not_found", `unknown model or route "${req.target}"; models: ${visible(models.keys())}; routes: ${visible(routes.keys())}`, "not_found", req);
    }
    if (key?.allow && !key.allow.has(req.target)) {
      throw new Refusal("permission_denied", `client key ${key.id} may not use "${req.target}"; it may use: ${[...key.allow].join(", ")}`, "permission_denied", req);
    }
    const wrong = wrongKind(this.#deps.config, req);
    if (wrong !== undefined) throw new Refusal("invalid_argument", wrong, "wrong_kind", req);
    const now = this.#deps.clock.monotonic();
    const tokens = key?.tpm === undefined ? 0 : contextTokens(req.chat);
    const limited = key !== undefined && (key.rpm !== undefined || key.tpm !== undefined);
    if (!limited && !this.#deps.budgets) return req;
    // The key's limits and its budget are asked at once: with shared state, one round trip for both.
    const [limit, verdict] = await Promise.all([key && limited ? this.#deps.keys.take(key, tokens, now) : undefined, this.#reserve(key, req)]);
    const budget = verdict !== UNREADABLE && verdict?.ok ? verdict.reservation : undefined;
    if (key && limit) {
      if (budget) this.#deps.budgets?.release(budget);
      throw overLimit(key, limit, req);
    }
    if (verdict === UNREADABLE || (verdict && !verdict.ok)) {
      if (key && tokens > 0) this.#deps.keys.settle(key, tokens, 0, false, now);
      if (verdict === UNREADABLE) throw new Refusal("unavailable", `${STATE_DOWN}; budgets are not checked without it, so requests are refused; retry later`, "state_unavailable", req, 1_000);
      const resets = new Date(verdict.resetsAt).toISOString();
      throw new Refusal(
        "resource_exhausted",
        `monthly budget ${verdict.scope} is spent ($${formatUsd(verdict.spentPicos)} of $${formatUsd(verdict.budgetPicos)}, requests in flight included); it resets at ${resets}`,
        "budget_exceeded",
        req,
      );
    }
    if (tokens > 0 || budget) this.#held.set(req, { key, tokens, budget });
    return req;
  }

  /** The budget reservation of a request (none without budgets), or UNREADABLE when the shared budgets cannot be read. */
  async #reserve(key: ClientKeyConfig | undefined, req: GatewayRequest): Promise<BudgetReserve | typeof UNREADABLE | undefined> {
    const budgets = this.#deps.budgets;
    if (!budgets) return undefined;
    try {
      return await budgets.reserve({ clientKey: key?.id, tags: req.tags }, worstCasePicos(this.#deps.config, req), this.#deps.clock.now());
    } catch (err) {
      if (err instanceof StateUnavailableError) return UNREADABLE;
      throw err;
    }
  }

  /**
   * Counts a cost report against the key's requests per minute (a report costs the gateway too); throws
   * RESOURCE_EXHAUSTED when they are spent. Reports are not completions: nothing is written to the ledger.
   */
  async admitReport(key: ClientKeyConfig | undefined): Promise<void> {
    if (key?.rpm === undefined) return;
    const limit = await this.#deps.keys.take(key, 0, this.#deps.clock.monotonic());
    if (limit) throw overLimit(key, limit, undefined);
  }

  /**
   * Settles what a finished request took at admission, once its rows are committed: its key's TPM with the tokens
   * its attempts used, and its budget reservation, whose place its committed cost has taken.
   */
  settle(end: RequestEnd): void {
    const held = this.#held.get(end.request);
    if (held === undefined) return;
    this.#held.delete(end.request);
    if (held.budget) this.#deps.budgets?.release(held.budget);
    if (held.tokens === 0 || held.key === undefined) return;
    let used = 0;
    let unknown = false;
    for (const a of end.attempts) {
      used += (a.usage.inputTokens ?? 0) + (a.usage.outputTokens ?? 0);
      unknown ||= a.usageUnknown;
    }
    this.#deps.keys.settle(held.key, held.tokens, used, unknown, this.#deps.clock.monotonic());
  }
}

/** The most one attempt of a request may cost: its estimated prompt and max_tokens at the dearest model it may use. */
function worstCasePicos(config: GatewayConfig, req: GatewayRequest): bigint {
  let worst = 0n;
  for (const m of resolve(config, req.target).models) {
    const cost = estimateCostPicos(req.chat, m);
    if (cost > worst) worst = cost;
  }
  return worst;
}

/** A refusal at admission: the client's status and message, the ledger's short reason, the request it refused. */
export class Refusal extends GatewayError {
  /** The request as admission saw it (with the key's tags), for the ledger row. */
  readonly request: GatewayRequest | undefined;

  constructor(code: GatewayError["code"], message: string, reason: string, request: GatewayRequest | undefined, retryAfterMs?: number) {
    super(code, message, [], reason, retryAfterMs);
    this.request = request;
  }
}

/** The refusal of a key over one of its per-minute limits. */
function overLimit(key: ClientKeyConfig, limit: KeyLimitRefusal, req: GatewayRequest | undefined): Refusal {
  const waitS = Math.ceil(limit.retryInMs / 1000);
  const reason = limit.limit === "requests" ? "key_rpm" : "key_tpm";
  return new Refusal("resource_exhausted", `client key ${key.id} is over its limit of ${limit.capacity} ${limit.limit} per minute; retry in ${waitS} s`, reason, req, Math.max(0, limit.retryInMs));
}

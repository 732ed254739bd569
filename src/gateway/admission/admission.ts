/** What a client key may do: which models, how fast, how much; refusals are clear gRPC statuses. */
import { Code, ConnectError } from "@connectrpc/connect";
import type { BudgetGuard } from "../../accounting/budget/budget-guard.js";
import { formatUsdFixed } from "../../accounting/money/money.js";
import type { ClientKeyConfig } from "../../config/auth.js";
import type { GatewayConfig } from "../../config/schema.js";
import type { Clock } from "../clock.js";
import { contextTokens } from "../routing/estimate.js";
import { TokenBucket } from "../health/limits.js";
import type { GatewayObserver, RequestEnd } from "../observer.js";
import type { GatewayRequest } from "../types.js";

/** Records a request refused before any provider was called (it counts as a failed request in reports). */
export type RefusalRecorder = (req: GatewayRequest, clientKey: string | undefined, reason: string) => Promise<void>;

/** A refusal: a gRPC status for the client and a short reason for the ledger row. */
class Refusal extends ConnectError {
  readonly reason: string;

  constructor(message: string, code: Code, reason: string) {
    super(message, code);
    this.reason = reason;
  }
}

interface KeyBuckets {
  readonly rpm: TokenBucket | undefined;
  readonly tpm: TokenBucket | undefined;
}

/** Admission of requests per client key: allow-list, NOT_FOUND for that key, RPM/TPM and budget. */
export class Access {
  readonly #config: GatewayConfig;
  readonly #clock: Clock;
  readonly #budget: BudgetGuard | undefined;
  readonly #refused: RefusalRecorder;
  readonly #buckets = new Map<string, KeyBuckets>();
  /** Tokens taken from a key's TPM bucket at admission, per admitted request, until the request ends. */
  readonly #reserved = new WeakMap<GatewayRequest, number>();

  constructor(config: GatewayConfig, clock: Clock, budget: BudgetGuard | undefined, refused: RefusalRecorder = async () => undefined) {
    this.#config = config;
    this.#clock = clock;
    this.#budget = budget;
    this.#refused = refused;
  }

  /**
   * Checks a request of a key before any provider is called: known target, allowed target, rate, budget.
   * Returns it with the key's tags (which win over the request's) and allow-list; a refusal is recorded.
   */
  async admit(key: ClientKeyConfig | undefined, raw: GatewayRequest): Promise<GatewayRequest> {
    const req: GatewayRequest = key ? { ...raw, tags: { ...raw.tags, ...key.tags }, allowed: key.allow } : raw;
    try {
      this.#check(key, req);
    } catch (err) {
      if (err instanceof Refusal) await this.#refused(req, key?.id, err.reason);
      throw err;
    }
    return req;
  }

  #check(key: ClientKeyConfig | undefined, req: GatewayRequest): void {
    const { models, routes } = this.#config;
    if (!models.has(req.target) && !routes.has(req.target)) {
      const visible = (names: Iterable<string>): string => [...names].filter((n) => key?.allow?.has(n) ?? true).join(", ") || "none";
      throw new Refusal(`unknown model or route "${req.target}"; models: ${visible(models.keys())}; routes: ${visible(routes.keys())}`, Code.NotFound, "not_found");
    }
    if (key?.allow && !key.allow.has(req.target)) {
      throw new Refusal(`client key ${key.id} may not use "${req.target}"; it may use: ${[...key.allow].join(", ")}`, Code.PermissionDenied, "permission_denied");
    }
    if (key) this.#limit(key, req);
    const verdict = this.#budget?.checkRequest({ clientKey: key?.id, tags: req.tags }, this.#clock.now());
    if (verdict && !verdict.ok) {
      throw new Refusal(
        `monthly budget ${verdict.scope} is spent ($${formatUsdFixed(verdict.spentPicos, 2)} of $${formatUsdFixed(verdict.budgetPicos, 2)}); it resets at ${new Date(verdict.resetsAt).toISOString()}`,
        Code.ResourceExhausted,
        "budget_exceeded",
      );
    }
  }

  /**
   * Counts a cost report against the key's requests per minute (a report costs the gateway too); throws
   * RESOURCE_EXHAUSTED when they are spent. Reports are not completions: nothing is written to the ledger.
   */
  admitReport(key: ClientKeyConfig | undefined): void {
    if (key?.rpm === undefined) return;
    const now = this.#clock.monotonic();
    const { rpm } = this.#bucketsOf(key, now);
    if (rpm) {
      overLimit(key, rpm, 1, "requests", now);
      rpm.take(1, now);
    }
  }

  #limit(key: ClientKeyConfig, req: GatewayRequest): void {
    if (key.rpm === undefined && key.tpm === undefined) return;
    const now = this.#clock.monotonic();
    const b = this.#bucketsOf(key, now);
    const tokens = contextTokens(req.chat);
    if (b.rpm) overLimit(key, b.rpm, 1, "requests", now);
    if (b.tpm) overLimit(key, b.tpm, tokens, "tokens", now);
    b.rpm?.take(1, now);
    if (b.tpm) {
      b.tpm.take(tokens, now);
      this.#reserved.set(req, tokens);
    }
  }

  /**
   * Settles what a finished request took from its key's TPM at admission (its input estimate and max_tokens)
   * with the tokens its attempts really used: what it used beyond is taken, what it did not use is given back,
   * unless an attempt's usage is unknown (a cut stream), when nothing is given back.
   */
  settle(end: RequestEnd): void {
    const reserved = this.#reserved.get(end.request);
    const bucket = end.clientKey === undefined ? undefined : this.#buckets.get(end.clientKey)?.tpm;
    if (reserved === undefined || !bucket) return;
    this.#reserved.delete(end.request);
    let used = 0;
    let unknown = false;
    for (const a of end.attempts) {
      used += (a.usage.inputTokens ?? 0) + (a.usage.outputTokens ?? 0);
      unknown ||= a.usageUnknown;
    }
    const now = this.#clock.monotonic();
    if (used > reserved) bucket.take(used - reserved, now);
    else if (!unknown) bucket.give(reserved - used, now);
  }

  /** The gateway observer that settles each finished request's TPM reservation. */
  observer(): GatewayObserver {
    return {
      attemptStarted: () => () => undefined,
      failover: () => undefined,
      hedgeStarted: () => undefined,
      requestEnded: async (end) => this.settle(end),
    };
  }

  #bucketsOf(key: ClientKeyConfig, now: number): KeyBuckets {
    let b = this.#buckets.get(key.id);
    if (!b) {
      b = { rpm: key.rpm ? new TokenBucket(key.rpm, now) : undefined, tpm: key.tpm ? new TokenBucket(key.tpm, now) : undefined };
      this.#buckets.set(key.id, b);
    }
    return b;
  }
}

/** Throws the refusal of a key whose bucket cannot give `need` now. */
function overLimit(key: ClientKeyConfig, bucket: TokenBucket, need: number, what: "requests" | "tokens", now: number): void {
  if (bucket.level(now) >= Math.min(need, bucket.capacity)) return;
  const waitS = Math.ceil((bucket.readyAt(need, now) - now) / 1000);
  throw new Refusal(`client key ${key.id} is over its limit of ${bucket.capacity} ${what} per minute; retry in ${waitS} s`, Code.ResourceExhausted, `key_${what === "requests" ? "rpm" : "tpm"}`);
}

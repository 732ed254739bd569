/** What a client key may do: which models, how fast, how much; refusals are clear gRPC statuses. */
import { Code, ConnectError } from "@connectrpc/connect";
import type { ClientKeyConfig } from "../config/auth.js";
import type { GatewayConfig } from "../config/schema.js";
import type { Clock } from "../gateway/clock.js";
import { contextTokens } from "../gateway/estimate.js";
import { TokenBucket } from "../gateway/limits.js";
import type { GatewayRequest } from "../gateway/types.js";

/** A monthly budget check, answered in O(1). */
export interface BudgetCheck {
  /** Whether the key may spend more this month, and when its month resets (epoch ms) when it may not. */
  check(keyId: string): { readonly ok: true } | { readonly ok: false; readonly spentPicos: bigint; readonly budgetPicos: bigint; readonly resetsAt: number };
}

interface KeyBuckets {
  readonly rpm: TokenBucket | undefined;
  readonly tpm: TokenBucket | undefined;
}

/** Admission of requests per client key: allow-list, NOT_FOUND for that key, RPM/TPM and budget. */
export class Access {
  readonly #config: GatewayConfig;
  readonly #clock: Clock;
  readonly #budget: BudgetCheck | undefined;
  readonly #buckets = new Map<string, KeyBuckets>();

  constructor(config: GatewayConfig, clock: Clock, budget: BudgetCheck | undefined) {
    this.#config = config;
    this.#clock = clock;
    this.#budget = budget;
  }

  /** Checks a request of a key before any provider is called; returns it with the key's default tags. */
  admit(key: ClientKeyConfig | undefined, req: GatewayRequest): GatewayRequest {
    const { models, routes } = this.#config;
    if (!models.has(req.target) && !routes.has(req.target)) {
      const visible = (names: Iterable<string>): string => [...names].filter((n) => key?.allow?.has(n) ?? true).join(", ") || "none";
      throw new ConnectError(`unknown model or route "${req.target}"; models: ${visible(models.keys())}; routes: ${visible(routes.keys())}`, Code.NotFound);
    }
    if (!key) return req;
    if (key.allow && !key.allow.has(req.target)) {
      throw new ConnectError(`client key ${key.id} may not use "${req.target}"; it may use: ${[...key.allow].join(", ")}`, Code.PermissionDenied);
    }
    this.#limit(key, req);
    const verdict = this.#budget?.check(key.id);
    if (verdict && !verdict.ok) {
      throw new ConnectError(`client key ${key.id} is over its monthly budget; it resets at ${new Date(verdict.resetsAt).toISOString()}`, Code.ResourceExhausted);
    }
    return Object.keys(key.tags).length === 0 ? req : { ...req, tags: { ...key.tags, ...req.tags } };
  }

  #limit(key: ClientKeyConfig, req: GatewayRequest): void {
    if (key.rpm === undefined && key.tpm === undefined) return;
    const now = this.#clock.monotonic();
    let b = this.#buckets.get(key.id);
    if (!b) {
      b = { rpm: key.rpm ? new TokenBucket(key.rpm, now) : undefined, tpm: key.tpm ? new TokenBucket(key.tpm, now) : undefined };
      this.#buckets.set(key.id, b);
    }
    const tokens = contextTokens(req.chat);
    for (const [bucket, need, what] of [[b.rpm, 1, "requests"], [b.tpm, tokens, "tokens"]] as const) {
      if (bucket && bucket.level(now) < Math.min(need, bucket.capacity)) {
        const waitS = Math.ceil((bucket.readyAt(need, now) - now) / 1000);
        throw new ConnectError(`client key ${key.id} is over its limit of ${bucket.capacity} ${what} per minute; retry in ${waitS} s`, Code.ResourceExhausted);
      }
    }
    b.rpm?.take(1, now);
    b.tpm?.take(tokens, now);
  }
}

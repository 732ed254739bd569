/**
 * A deployment's limits and cooldowns shared by every replica. A deployment with configured rpm/tpm has shared
 * buckets in Redis, taken by one script that also honours the shared blocks (a provider's "nothing remaining" until
 * its reset) and 429 cooldowns. Blocks and cooldowns are also published on one channel, so that every replica hears
 * them at once (a separate subscriber connection) and deployments without configured limits need no round trip per
 * call. A replica never hears its own news. While Redis is unreachable, configured limits fall back to this
 * replica's local share, and nothing is published (each replica's own cooldowns still hold).
 */
import type { Redis } from "ioredis";
import type { ModelConfig } from "../../../config/schema.js";
import { DEFAULT_HINT_RESET_MS } from "../../health/limits.js";
import type { RateLimitHint } from "../../../providers/wire.js";
import type { DeploymentNews, DeploymentShare, SharedLimitRefusal } from "../shared-state.js";
import { StateUnavailableError } from "../shared-state.js";
import type { Link, Script } from "./link.js";
import { LocalShare } from "./local-share.js";
import type { ShareTake } from "./local-share.js";
import { BUCKET_ADJUST, DEPLOYMENT_COOLDOWN, DEPLOYMENT_HINT, DEPLOYMENT_TAKE } from "./lua.js";

/** What goes over the channel. */
interface Message {
  readonly from: string;
  readonly model: string;
  readonly news: DeploymentNews;
}

const REASONS: Readonly<Record<number, SharedLimitRefusal["reason"]>> = { 1: "rpm", 2: "tpm", 3: "cooling_down" };

/** Deployment limits and cooldowns in Redis, news by pub/sub. */
export class RedisDeployments implements DeploymentShare {
  readonly #link: Link;
  readonly #clock: () => number;
  readonly #take: Script;
  readonly #adjust: Script;
  readonly #hint: Script;
  readonly #cooldown: Script;
  readonly #local = new LocalShare();
  readonly #listeners = new Set<(model: string, news: DeploymentNews) => void>();
  #subscriber: Redis | undefined;

  /** Deployments over `link`; `clock` is monotonic ms (for the local share). */
  constructor(link: Link, clock: () => number) {
    this.#link = link;
    this.#clock = clock;
    this.#take = link.define("llmgwDeploymentTake", DEPLOYMENT_TAKE);
    this.#adjust = link.define("llmgwBucketAdjust", BUCKET_ADJUST);
    this.#hint = link.define("llmgwDeploymentHint", DEPLOYMENT_HINT);
    this.#cooldown = link.define("llmgwDeploymentCooldown", DEPLOYMENT_COOLDOWN);
    link.onChange((up) => {
      if (up) this.#local.clear();
    });
  }

  /** Takes one call and `tokens` from a deployment's shared limits (none configured: nothing to take, no round trip). */
  async take(model: ModelConfig, tokens: number): Promise<SharedLimitRefusal | undefined> {
    if (model.rpm === undefined && model.tpm === undefined) return undefined;
    if (!this.#link.up) return this.#fallback(model, tokens);
    let answer: unknown;
    try {
      answer = await this.#link.run(() => this.#take(this.#keys(model), [model.rpm ?? 0, model.tpm ?? 0, Math.max(0, tokens)]));
    } catch (err) {
      if (err instanceof StateUnavailableError) return this.#fallback(model, tokens);
      throw err;
    }
    if (!Array.isArray(answer) || answer[0] === 0) return undefined;
    return { reason: REASONS[Number(answer[0])] ?? "rpm", retryInMs: Number(answer[1]) };
  }

  /** Corrects the shared token bucket with the call's real usage (fire and forget). */
  settle(model: ModelConfig, estimated: number, used: number | undefined): void {
    if (model.tpm === undefined || used === undefined || used === estimated) return;
    const delta = used - estimated;
    if (!this.#link.up) return this.#local.adjust(`${model.name}:tpm`, delta, this.#clock());
    const tpm = model.tpm;
    this.#link.run(() => this.#adjust(this.#keys(model), [tpm, delta])).catch(() => this.#link.counts.failedWrites++);
  }

  /** Clamps the shared buckets to what the provider says remains; an exhausted dimension blocks and is published. */
  hint(model: ModelConfig, hint: RateLimitHint): void {
    const exhausted = (hint.remainingRequests ?? 1) <= 0 || (hint.remainingTokens ?? 1) <= 0;
    if (!exhausted && model.rpm === undefined && model.tpm === undefined) return;
    if (!this.#link.up) {
      this.#link.counts.failedWrites++;
      return;
    }
    const message = exhausted ? this.#message(model, { kind: "hint", hint }) : "";
    const args = [
      model.rpm ?? 0,
      model.tpm ?? 0,
      hint.remainingRequests ?? "",
      hint.remainingTokens ?? "",
      hint.resetMs ?? DEFAULT_HINT_RESET_MS,
      exhausted ? this.#channel() : "",
      message,
    ];
    this.#link.run(() => this.#hint(this.#keys(model), args)).catch(() => this.#link.counts.failedWrites++);
  }

  /** Starts a shared 429 cooldown of `ms` and publishes it. */
  cooldown(model: ModelConfig, ms: number): void {
    if (!this.#link.up) {
      this.#link.counts.failedWrites++;
      return;
    }
    const message = this.#message(model, { kind: "cooldown", ms });
    this.#link.run(() => this.#cooldown(this.#keys(model), [ms, this.#channel(), message])).catch(() => this.#link.counts.failedWrites++);
  }

  /** Hears other replicas' news; returns the removal of the listener. */
  subscribe(listener: (model: string, news: DeploymentNews) => void): () => void {
    this.#listeners.add(listener);
    this.#subscribe();
    return () => void this.#listeners.delete(listener);
  }

  /** Closes the subscriber connection. */
  close(): void {
    this.#subscriber?.disconnect();
    this.#subscriber = undefined;
  }

  /** Opens the subscriber connection once (it queues its SUBSCRIBE until connected and re-subscribes after a reconnect). */
  #subscribe(): void {
    if (this.#subscriber) return;
    const sub = this.#link.redis.duplicate({ enableOfflineQueue: true, enableAutoPipelining: false, commandTimeout: undefined, maxRetriesPerRequest: null });
    this.#subscriber = sub;
    sub.on("error", () => undefined); // the main connection's health is the one reported
    sub.on("message", (_channel: string, text: string) => this.#hear(text));
    sub.subscribe(this.#channel()).catch(() => undefined);
  }

  #hear(text: string): void {
    const message = parseMessage(text);
    if (!message || message.from === this.#link.id) return;
    for (const listener of this.#listeners) {
      try {
        listener(message.model, message.news);
      } catch {
        // One listener's failure does not keep the news from the others.
      }
    }
  }

  #fallback(model: ModelConfig, tokens: number): SharedLimitRefusal | undefined {
    this.#link.counts.deployments++;
    const takes: (ShareTake & { readonly reason: SharedLimitRefusal["reason"] })[] = [];
    if (model.rpm !== undefined) takes.push({ reason: "rpm", name: `${model.name}:rpm`, capacity: this.#link.share(model.rpm), need: 1 });
    if (model.tpm !== undefined) takes.push({ reason: "tpm", name: `${model.name}:tpm`, capacity: this.#link.share(model.tpm), need: tokens });
    const refusal = this.#local.take(takes, this.#clock());
    return refusal && { reason: takes[refusal.index]?.reason ?? "rpm", retryInMs: refusal.retryInMs };
  }

  #keys(model: ModelConfig): string[] {
    return [this.#link.key("deployment", model.name)];
  }

  #channel(): string {
    return this.#link.key("deployment-news");
  }

  #message(model: ModelConfig, news: DeploymentNews): string {
    const message: Message = { from: this.#link.id, model: model.name, news };
    return JSON.stringify(message);
  }
}

/** A message of the channel, or undefined when it is not one (another program's, a newer version's). */
function parseMessage(text: string): Message | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || typeof value["from"] !== "string" || typeof value["model"] !== "string" || !isRecord(value["news"])) return undefined;
  const news = value["news"];
  if (news["kind"] === "cooldown") {
    const ms = news["ms"];
    return typeof ms === "number" && Number.isFinite(ms) && ms >= 0 ? { from: value["from"], model: value["model"], news: { kind: "cooldown", ms } } : undefined;
  }
  if (news["kind"] !== "hint" || !isRecord(news["hint"])) return undefined;
  const raw = news["hint"];
  const hint: { remainingRequests?: number; remainingTokens?: number; resetMs?: number } = {};
  for (const field of ["remainingRequests", "remainingTokens", "resetMs"] as const) {
    const v = raw[field];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isFinite(v)) return undefined;
    hint[field] = v;
  }
  return { from: value["from"], model: value["model"], news: { kind: "hint", hint } };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The connection to the shared Redis and what this replica knows of it: up or down (logged once per outage and
 * once at recovery, told to listeners), how many replicas are alive (each heartbeats a member of a sorted set with
 * an expiry), and how often each concern fell back. Commands never wait longer than the command timeout and are
 * never queued while the connection is down: they fail at once and the caller falls back.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import type { Logger } from "../../../telemetry/log.js";
import { redacting } from "../../../telemetry/log.js";
import { StateUnavailableError } from "../shared-state.js";
import { HEARTBEAT } from "./lua.js";

/** How the link is set up. */
export interface LinkOptions {
  readonly url: string;
  readonly keyPrefix: string;
  readonly commandTimeoutMs: number;
  readonly log: Logger;
  /** Replicas assumed before any heartbeat was seen (the local share divides limits by it). */
  readonly replicasHint: number | undefined;
  /** Heartbeat period, ms (default 2,000); a replica counts as alive for three periods. */
  readonly heartbeatMs: number | undefined;
}

/** Counts of answers given without Redis, per concern, and of fire-and-forget writes Redis did not take. */
export interface FallbackCounts {
  keys: number;
  budgets: number;
  deployments: number;
  failedWrites: number;
}

/** A script: keys and arguments in, Redis's answer out. */
export type Script = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

/** One replica's connection to the shared Redis, its health and its heartbeat. */
export class Link {
  /** This replica's id (a member of the replicas set, the sender of published news). */
  readonly id = randomBytes(8).toString("hex");
  /** Fallback and failure counts (read by status()). */
  readonly counts: FallbackCounts = { keys: 0, budgets: 0, deployments: 0, failedWrites: 0 };
  readonly #redis: Redis;
  readonly #opts: LinkOptions;
  readonly #log: Logger;
  readonly #where: string;
  readonly #listeners = new Set<(up: boolean) => void>();
  readonly #heartbeat: Script;
  readonly #timer: NodeJS.Timeout;
  readonly #started: Promise<boolean>;
  #resolveStarted: (up: boolean) => void = () => undefined;
  #state: "starting" | "up" | "down" | "closed" = "starting";
  #replicas: number | undefined;

  constructor(opts: LinkOptions) {
    this.#opts = opts;
    const parsed = new URL(opts.url);
    this.#where = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
    this.#log = redacting(opts.log, [opts.url, ...(parsed.password ? [decodeURIComponent(parsed.password)] : [])]);
    this.#started = new Promise((resolve) => (this.#resolveStarted = resolve));
    this.#redis = new Redis(opts.url, {
      commandTimeout: opts.commandTimeoutMs,
      connectTimeout: Math.max(1_000, 4 * opts.commandTimeoutMs),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      // Measured: auto-pipelining defers each command a tick and cost about twice the client CPU per call here.
      enableAutoPipelining: false,
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1_000),
      lazyConnect: false,
    });
    this.#redis.on("ready", () => void this.beat());
    this.#redis.on("error", (err: Error) => this.failed(err));
    this.#redis.on("close", () => this.failed(new Error("connection closed")));
    this.#heartbeat = this.define("llmgwHeartbeat", HEARTBEAT);
    this.#timer = setInterval(() => void this.beat(), this.#heartbeatMs());
    this.#timer.unref();
  }

  /** The client (for a subscriber connection: `duplicate()`). */
  get redis(): Redis {
    return this.#redis;
  }

  /** Whether Redis answered last time (commands are sent only while up). */
  get up(): boolean {
    return this.#state === "up";
  }

  /** Live replicas last counted (this one included); before any count, the hint or 1. */
  get replicas(): number {
    return this.#replicas ?? Math.max(1, this.#opts.replicasHint ?? 1);
  }

  /** This replica's share of a limit while Redis cannot be reached: capacity / replicas, at least 1. */
  share(capacity: number): number {
    return Math.max(1, Math.floor(capacity / this.replicas));
  }

  /** The Redis name of a key or channel: the prefix, then the parts joined by ':'. */
  key(...parts: readonly string[]): string {
    return this.#opts.keyPrefix + parts.join(":");
  }

  /** How long a replica stays counted without a heartbeat, ms. */
  get heartbeatTtlMs(): number {
    return 3 * this.#heartbeatMs();
  }

  /** Resolves once the first connection attempt is decided: true when Redis answered. */
  started(): Promise<boolean> {
    return this.#started;
  }

  /** Hears every change of `up`; returns the removal of the listener. */
  onChange(listener: (up: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Registers a Lua script (EVALSHA, EVAL on NOSCRIPT) under `name`. */
  define(name: string, lua: string): Script {
    this.#redis.defineCommand(name, { lua });
    const fn = Reflect.get(this.#redis, name) as (...args: (string | number)[]) => Promise<unknown>;
    return (keys, args) => fn.call(this.#redis, keys.length, ...keys, ...args);
  }

  /** Runs a command while up; a failure marks Redis down. Throws StateUnavailableError when down or failed. */
  async run<T>(command: () => Promise<T>): Promise<T> {
    if (this.#state !== "up") throw new StateUnavailableError("the shared state (Redis) is unavailable");
    try {
      return await command();
    } catch (err) {
      this.failed(err);
      throw new StateUnavailableError("the shared state (Redis) did not answer");
    }
  }

  /** Sends a heartbeat (also the probe that brings the link back up); counts the live replicas. */
  async beat(): Promise<void> {
    if (this.#state === "closed") return;
    if (this.#redis.status !== "ready") {
      if (this.#state !== "starting") this.failed(new Error(`connection ${this.#redis.status}`));
      return;
    }
    try {
      const count = await this.#heartbeat([this.key("replicas")], [this.id, this.heartbeatTtlMs]);
      if (typeof count === "number" && count >= 1) this.#replicas = count;
      this.#setUp();
    } catch (err) {
      this.failed(err);
    }
  }

  /** Marks Redis down after a failed command or a lost connection: logged and told once per outage. */
  failed(err: unknown): void {
    const was = this.#state;
    if (was === "down" || was === "closed") return;
    this.#state = "down";
    const cause = err instanceof Error ? err.message : String(err);
    this.#log.log("warn", "shared state unavailable: key and deployment limits use this replica's share, budgets refuse", {
      redis: this.#where,
      replicas: this.replicas,
      cause,
    });
    this.#resolveStarted(false);
    if (was === "up") this.#emit(false);
  }

  /** Stops the heartbeat, leaves the replicas set and closes the connection (bounded by the command timeout). */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    const wasUp = this.#state === "up";
    this.#state = "closed";
    clearInterval(this.#timer);
    this.#resolveStarted(false);
    if (wasUp) await this.#redis.zrem(this.key("replicas"), this.id).catch(() => undefined);
    await Promise.race([this.#redis.quit().catch(() => undefined), new Promise((r) => setTimeout(r, this.#opts.commandTimeoutMs))]);
    this.#redis.disconnect();
  }

  #setUp(): void {
    const was = this.#state;
    if (was === "up" || was === "closed") return;
    this.#state = "up";
    this.#log.log("info", was === "starting" ? "shared state connected" : "shared state available again: limits and budgets are shared", {
      redis: this.#where,
      replicas: this.replicas,
    });
    this.#resolveStarted(true);
    this.#emit(true);
  }

  #emit(up: boolean): void {
    for (const listener of this.#listeners) {
      try {
        listener(up);
      } catch {
        // A listener's failure is its own; the others still hear the change.
      }
    }
  }

  #heartbeatMs(): number {
    return this.#opts.heartbeatMs ?? 2_000;
  }
}

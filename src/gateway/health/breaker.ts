/**
 * The circuit breaker of one deployment: closed -> open -> half-open (one probe) -> closed. A state
 * machine over passed-in time. The open period starts at initialCooldownMs and doubles after each
 * failed probe up to cooldownMs, so a provider tripped by a run of bad luck is probed again soon
 * while a provider that stays down is probed ever more rarely.
 */
import type { BreakerConfig } from "../../config/schema.js";
import { RollingWindow } from "./rolling-window.js";

/** Where the breaker stands. */
export type BreakerState = "closed" | "open" | "half_open";

/** How a call ended, as far as the breaker cares: provider faults fail, successes succeed, the rest is neutral. */
export type BreakerVerdict = "success" | "failure" | "neutral";

/** Permission for one call; its result must be reported with `record`. */
export interface BreakerPermit {
  /** True for the single half-open probe. */
  readonly probe: boolean;
  /** The breaker generation the permit belongs to; results of an older generation are ignored. */
  readonly generation: number;
}

/** Why the breaker refuses a call now, and from when it might not. */
export interface BreakerRefusal {
  readonly reason: "circuit_open" | "probe_in_flight";
  /** Monotonic ms when a call may be admitted again; undefined when it depends on the probe's result. */
  readonly readyAt: number | undefined;
}

/** One deployment's breaker. */
export class Breaker {
  readonly #config: BreakerConfig;
  readonly #window: RollingWindow;
  #state: BreakerState = "closed";
  #openUntil = 0;
  #probeOut = false;
  #consecutive = 0;
  #generation = 0;
  #opened = 0;
  /** Openings since the breaker last closed. */
  #streak = 0;

  constructor(config: BreakerConfig) {
    this.#config = config;
    this.#window = new RollingWindow(config.windowMs);
  }

  /** The state at `now` (an open breaker whose cooldown ended is half-open). */
  state(now: number): BreakerState {
    this.#advance(now);
    return this.#state;
  }

  /** How many times the breaker has opened. */
  get timesOpened(): number {
    return this.#opened;
  }

  /** Fraction of failures in the current window, or undefined below the minimum volume. */
  failureRate(now: number): number | undefined {
    const { ok, failed } = this.#window.counts(now);
    const total = ok + failed;
    return total < this.#config.minRequests ? undefined : failed / total;
  }

  /** Whether a call would be admitted now, without taking a permit. */
  check(now: number): BreakerRefusal | undefined {
    this.#advance(now);
    if (this.#state === "open") return { reason: "circuit_open", readyAt: this.#openUntil };
    if (this.#state === "half_open" && this.#probeOut) return { reason: "probe_in_flight", readyAt: undefined };
    return undefined;
  }

  /** Takes a permit for one call, or returns undefined when the breaker refuses it. */
  acquire(now: number): BreakerPermit | undefined {
    if (this.check(now)) return undefined;
    if (this.#state === "half_open") {
      this.#probeOut = true;
      return { probe: true, generation: this.#generation };
    }
    return { probe: false, generation: this.#generation };
  }

  /** Reports the result of a permitted call. */
  record(permit: BreakerPermit, verdict: BreakerVerdict, now: number): void {
    this.#advance(now);
    if (permit.generation !== this.#generation) return; // a call from before the last transition
    if (permit.probe) {
      if (this.#state !== "half_open") return;
      if (verdict === "success") this.#close();
      else if (verdict === "failure") this.#open(now);
      else this.#probeOut = false; // the probe said nothing: let another call probe
      return;
    }
    if (this.#state !== "closed" || verdict === "neutral") return;
    this.#window.add(now, verdict === "failure");
    if (verdict === "success") {
      this.#consecutive = 0;
      return;
    }
    this.#consecutive++;
    const rate = this.failureRate(now);
    if (this.#consecutive >= this.#config.consecutiveFailures || (rate !== undefined && rate >= this.#config.errorRate)) this.#open(now);
  }

  #advance(now: number): void {
    if (this.#state === "open" && now >= this.#openUntil) {
      this.#state = "half_open";
      this.#probeOut = false;
    }
  }

  /** How long the next opening lasts, ms. */
  get nextCooldownMs(): number {
    const initial = Math.min(this.#config.initialCooldownMs, this.#config.cooldownMs);
    return Math.min(this.#config.cooldownMs, initial * 2 ** this.#streak);
  }

  #open(now: number): void {
    this.#state = "open";
    this.#openUntil = now + this.nextCooldownMs;
    this.#streak++;
    this.#probeOut = false;
    this.#generation++;
    this.#opened++;
  }

  #close(): void {
    this.#state = "closed";
    this.#streak = 0;
    this.#probeOut = false;
    this.#consecutive = 0;
    this.#window.reset();
    this.#generation++;
  }
}

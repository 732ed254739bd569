/**
 * The circuit breaker of one deployment: closed -> open -> half-open -> closed. A state machine over
 * passed-in time. The open period starts at initialCooldownMs and doubles after each failed probe up
 * to cooldownMs, so a provider tripped by a run of bad luck is probed again soon while a provider that
 * stays down is probed ever more rarely. Half-open admits probes in proportion to the traffic: one
 * first, twice as many after each successful probe while calls were being turned away, and it closes
 * at a successful probe once nobody was turned away since the allowance last grew (a lone request
 * closes it at once; under load it ramps up instead of letting everything in on one success).
 */
import type { BreakerConfig } from "../../config/schema.js";
import { RollingWindow } from "./rolling-window.js";

/** Where the breaker stands. */
export type BreakerState = "closed" | "open" | "half_open";

/** How a call ended, as far as the breaker cares: provider faults fail, successes succeed, the rest is neutral. */
export type BreakerVerdict = "success" | "failure" | "neutral";

/** Permission for one call; its result must be reported with `record`. */
export interface BreakerPermit {
  /** True for a half-open probe. */
  readonly probe: boolean;
  /** True for a call admitted past the breaker by the panic rule: its result feeds the error rate, never the state. */
  readonly panic: boolean;
  /** The breaker generation the permit belongs to; results of an older generation are ignored. */
  readonly generation: number;
  /** For a probe: how many times the probe allowance had grown when it was admitted. */
  readonly stage: number;
}

/** Why the breaker refuses a call now, and from when it might not. */
export interface BreakerRefusal {
  readonly reason: "circuit_open" | "probe_in_flight";
  /** Monotonic ms when a call may be admitted again; undefined when it depends on a probe's result. */
  readonly readyAt: number | undefined;
}

/** One deployment's breaker. */
export class Breaker {
  readonly #config: BreakerConfig;
  /** The closed state's window, for the error-rate rule; forgotten when the breaker closes. */
  readonly #window: RollingWindow;
  /** Every call's verdict over the window, whatever the state: the recent error rate the panic rule reads. */
  readonly #recent: RollingWindow;
  #state: BreakerState = "closed";
  #openUntil = 0;
  #probesOut = 0;
  /** Probes half-open admits at once. */
  #allowance = 1;
  /** Times the allowance grew in this half-open period. */
  #stage = 0;
  /** A call was turned away since the allowance last grew. */
  #turnedAway = false;
  #consecutive = 0;
  #generation = 0;
  #opened = 0;
  /** Openings since the breaker last closed. */
  #streak = 0;

  constructor(config: BreakerConfig) {
    this.#config = config;
    this.#window = new RollingWindow(config.windowMs);
    this.#recent = new RollingWindow(config.windowMs);
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

  /** Probes half-open admits at once now (1 outside half-open). */
  get probeAllowance(): number {
    return this.#allowance;
  }

  /** Fraction of failures in the current closed window, or undefined below the minimum volume. */
  failureRate(now: number): number | undefined {
    const { ok, failed } = this.#window.counts(now);
    const total = ok + failed;
    return total < this.#config.minRequests ? undefined : failed / total;
  }

  /**
   * Failures over the last window among every call (probes and panic calls too), divided by at least
   * minRequests: fewer calls than that are not evidence of a high rate, as for the error-rate rule.
   */
  recentErrorRate(now: number): number {
    const { ok, failed } = this.#recent.counts(now);
    return failed / Math.max(ok + failed, this.#config.minRequests, 1);
  }

  /** Whether a call would be admitted now, without taking a permit. */
  check(now: number): BreakerRefusal | undefined {
    this.#advance(now);
    if (this.#state === "open") return { reason: "circuit_open", readyAt: this.#openUntil };
    if (this.#state === "half_open" && this.#probesOut >= this.#allowance) return { reason: "probe_in_flight", readyAt: undefined };
    return undefined;
  }

  /** Takes a permit for one call, or returns undefined (and notes the turned-away call) when the breaker refuses it. */
  acquire(now: number): BreakerPermit | undefined {
    if (this.check(now)) {
      if (this.#state === "half_open") this.#turnedAway = true;
      return undefined;
    }
    if (this.#state === "half_open") {
      this.#probesOut++;
      return { probe: true, panic: false, generation: this.#generation, stage: this.#stage };
    }
    return { probe: false, panic: false, generation: this.#generation, stage: 0 };
  }

  /** A permit past the breaker, whatever its state, for the panic rule. */
  bypass(now: number): BreakerPermit {
    this.#advance(now);
    return { probe: false, panic: true, generation: this.#generation, stage: 0 };
  }

  /** Reports the result of a permitted call. */
  record(permit: BreakerPermit, verdict: BreakerVerdict, now: number): void {
    this.#advance(now);
    if (verdict !== "neutral") this.#recent.add(now, verdict === "failure");
    if (permit.panic || permit.generation !== this.#generation) return; // panic calls and calls from before the last transition
    if (permit.probe) {
      if (this.#state !== "half_open") return;
      this.#probesOut = Math.max(0, this.#probesOut - 1);
      if (verdict === "success") this.#probed(permit.stage);
      else if (verdict === "failure") this.#open(now);
      return; // a neutral probe said nothing: its slot is free for another
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

  /** How long the next opening lasts, ms. */
  get nextCooldownMs(): number {
    const initial = Math.min(this.#config.initialCooldownMs, this.#config.cooldownMs);
    return Math.min(this.#config.cooldownMs, initial * 2 ** this.#streak);
  }

  #advance(now: number): void {
    if (this.#state === "open" && now >= this.#openUntil) {
      this.#state = "half_open";
      this.#probesOut = 0;
      this.#allowance = 1;
      this.#stage = 0;
      this.#turnedAway = false;
    }
  }

  /**
   * A probe admitted at `stage` succeeded: while calls are being turned away, let twice as many probes in;
   * once a probe of the current allowance succeeds with nobody turned away since it grew, close. (A probe
   * from before the last growth says nothing about the current allowance.)
   */
  #probed(stage: number): void {
    if (this.#turnedAway) {
      this.#allowance *= 2;
      this.#stage++;
      this.#turnedAway = false;
    } else if (stage === this.#stage) this.#close();
  }

  #open(now: number): void {
    this.#state = "open";
    this.#openUntil = now + this.nextCooldownMs;
    this.#streak++;
    this.#probesOut = 0;
    this.#allowance = 1;
    this.#generation++;
    this.#opened++;
  }

  #close(): void {
    this.#state = "closed";
    this.#streak = 0;
    this.#probesOut = 0;
    this.#allowance = 1;
    this.#consecutive = 0;
    this.#window.reset();
    this.#generation++;
  }
}

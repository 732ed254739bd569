/**
 * One config snapshot and everything the core builds from it: the adapters, the deployments (carried over from the
 * snapshot before for what did not change), admission and the failover loop's deps. A request takes the current
 * snapshot once, at its start, and runs on it to its end; a reload makes a new one.
 */
import type { GatewayConfig } from "../config/schema.js";
import type { ProviderAdapter } from "../providers/adapter.js";
import { Admission } from "./admission/admission.js";
import type { BudgetView } from "./admission/admission.js";
import type { DeploymentShare, KeyState } from "./shared/shared-state.js";
import type { FailoverDeps } from "./attempts/failover.js";
import type { FinishRequest } from "./attempts/request.js";
import type { Clock, Random } from "./clock.js";
import { Balancer } from "./health/balancer.js";
import { InFlight } from "./in-flight.js";
import type { GatewayObserver, RequestEnd } from "./observer.js";

/** What a snapshot is built from besides its config and adapters; the same for every snapshot of a gateway. */
export interface SnapshotShared {
  readonly clock: Clock;
  readonly random: Random;
  readonly observer: GatewayObserver;
  /** Per-key limit state, kept across snapshots (a key's buckets survive while its limits do). */
  readonly keys: KeyState;
  /** Deployment limits and cooldowns shared by replicas; undefined in process. */
  readonly deployments: DeploymentShare | undefined;
  /** The number of processes that enforce deployment limits apart, each its share (1: this one alone, or shared state). */
  readonly localShare: number;
  readonly accountingReady: (() => boolean) | undefined;
  /** Ends a request of `snapshot` (ledger, admission settle, observers). */
  readonly finish: (snapshot: Snapshot, end: RequestEnd) => Promise<void>;
}

/** The parts of a snapshot that a reload may replace. */
export interface SnapshotParts {
  readonly config: GatewayConfig;
  /** Adapters by provider name; one for every provider a model names. */
  readonly adapters: ReadonlyMap<string, ProviderAdapter>;
  /** Monthly budgets; none enforced when absent. */
  readonly budgets?: BudgetView | undefined;
}

/** A config snapshot with its deployments, admission and loop deps, and a count of the requests running on it. */
export class Snapshot {
  readonly config: GatewayConfig;
  readonly adapters: ReadonlyMap<string, ProviderAdapter>;
  readonly balancer: Balancer;
  readonly admission: Admission;
  readonly failover: FailoverDeps;
  /** Requests started on this snapshot and not yet ended. */
  readonly inFlight = new InFlight();

  /** Builds a snapshot; `previous` hands over the state of unchanged deployments. */
  constructor(parts: SnapshotParts, shared: SnapshotShared, previous?: Snapshot) {
    const { config, adapters } = parts;
    for (const m of config.models.values()) {
      if (!adapters.has(m.provider)) throw new Error(`model ${m.name}: no adapter for provider ${m.provider}`);
    }
    this.config = config;
    this.adapters = adapters;
    this.balancer = new Balancer(config, shared.clock, previous?.balancer, shared.deployments, shared.localShare);
    this.admission = new Admission({ config, clock: shared.clock, keys: shared.keys, budgets: parts.budgets, ready: shared.accountingReady });
    const finish: FinishRequest = (end) => shared.finish(this, end);
    this.failover = { config, adapters, balancer: this.balancer, clock: shared.clock, random: shared.random, observer: shared.observer, finish };
  }
}

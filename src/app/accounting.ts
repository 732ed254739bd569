/** Composition of the accounting side: the ledger file and its spill journal, budgets from client keys, retention. */
import { clientKeyBudget } from "../accounting/budget/budget-guard.js";
import { Ledger } from "../accounting/ledger/ledger.js";
import type { LedgerStateChange } from "../accounting/ledger/ledger-state.js";
import { startRetention } from "../accounting/ledger/retention.js";
import { SpillJournal } from "../accounting/ledger/spill.js";
import { SqliteLedgerStore } from "../accounting/ledger/sqlite-ledger.js";
import { PgLedgerStore } from "../accounting/ledger/pg/pg-ledger.js";
import { LEDGER_WORKER_URL, ThreadedLedgerStore } from "../accounting/ledger/ledger-writer.js";
import type { LedgerStore } from "../accounting/ledger/ledger-store.js";
import { accessSync, constants, existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { GatewayConfig } from "../config/schema.js";
import { sameValue } from "../config/diff.js";
import type { Clock } from "../gateway/clock.js";
import type { Logger } from "../telemetry/log.js";
import type { AggregateSource } from "../accounting/report/report.js";
import type { SharedBudgets, SharedState } from "../gateway/shared/shared-state.js";
import { LocalSharedState } from "../gateway/shared/local-state.js";

/** Makes the shared state (key limits, budgets, deployment limits) over the ledger its budgets' spend is read from. */
export type StateFactory = (spend: AggregateSource) => SharedState;

/** The accounting components of a running gateway. */
export interface Accounting {
  /** The ledger; its `state` says whether requests can be recorded ("down": they cannot). */
  readonly ledger: Ledger;
  /** Key limits, budgets and deployment limits: in process, or shared by replicas. */
  readonly state: SharedState;
  /** The budgets of the config loaded last. */
  readonly budgets: SharedBudgets;
  /**
   * The budgets of a reloaded config: the same guard while the key budgets are the same; else a new guard whose
   * spend is read from the ledger again (spend belongs to key ids, so an unchanged key keeps its month's spend).
   */
  budgetsFor(config: GatewayConfig): Promise<SharedBudgets>;
  /** Stops retention, closes the ledger after flushing it, then the shared state. */
  close(): Promise<void>;
}

/**
 * Opens (or creates) the ledger, replays a spill journal an earlier run left, loads this month's spend of every
 * budgeted key (spilled rows the ledger could not take yet included) and starts retention.
 */
export async function openAccounting(config: GatewayConfig, clock: Clock, log: Logger, stateFor?: StateFactory): Promise<Accounting> {
  const onError = (err: unknown): void => log.log("error", "usage ledger error", { err });
  const store = await openStore(config, clock, onError);
  const { spillPath } = config.ledger;
  const ledger = new Ledger(store, { spill: spillPath === undefined ? undefined : new SpillJournal(spillPath) });
  ledger.onState((change) => logStateChange(log, change));
  // Before the budgets are loaded: rows replayed now are read with the rest; rows still only in the spill are added.
  const recovery = await ledger.recover();
  if (recovery.replayed > 0 || recovery.skipped > 0) {
    log.log(recovery.skipped > 0 ? "warn" : "info", "usage ledger: rows spilled by an earlier run replayed", { replayed: recovery.replayed, skippedLines: recovery.skipped, spill: spillPath });
  }
  const state = stateFor?.(ledger) ?? new LocalSharedState(ledger, () => clock.now());
  let limits = budgetLimits(config);
  let budgets = await state.budgets(limits);
  budgets.add(recovery.waiting);
  ledger.onCommit((rows) => budgets.add(rows));
  const retention = startRetention(ledger, config.ledger.retentionDays, () => clock.now(), onError);
  retention.first.catch(onError);
  return {
    ledger,
    state,
    get budgets() {
      return budgets;
    },
    async budgetsFor(next) {
      const nextLimits = budgetLimits(next);
      if (sameValue(limits, nextLimits)) return budgets;
      const guard = await state.budgets(nextLimits);
      // From here rows count in the new guard; requests admitted on the old one release their reservations there.
      limits = nextLimits;
      budgets = guard;
      return guard;
    },
    async close() {
      retention.stop();
      await ledger.close();
      await state.close();
      if (ledger.state !== "ok") log.log("warn", `usage ledger closed while ${ledger.state}: what the spill holds is replayed at the next start`, { spill: spillPath });
    },
  };
}

/**
 * The ledger's store: PostgreSQL when `ledger.url` is set (shared by every replica), else the SQLite file. Writes and
 * reports of the file run in a child process of their own when the compiled scripts are there (always, from dist/),
 * so a fault of the file never ends the gateway; sources run by vitest use the file on the event loop.
 */
async function openStore(config: GatewayConfig, clock: Clock, onError: (err: unknown) => void): Promise<LedgerStore> {
  const pg = config.ledger.postgres;
  if (pg) {
    // The spill is where answered requests wait while PostgreSQL is down: find out now that it cannot be written.
    const dir = dirname(resolve(config.ledger.spillPath ?? "."));
    try {
      accessSync(dir, constants.W_OK);
    } catch {
      throw new Error(`ledger.spillPath: the directory ${dir} is not writable (rows wait there while PostgreSQL is down or slow)`);
    }
    const { timeoutMs, reportTimeoutMs, poolSize } = pg;
    return PgLedgerStore.open({ url: pg.url.reveal(), timeoutMs, reportTimeoutMs, poolSize, now: () => clock.now(), onError });
  }
  const options = { path: config.ledger.path, now: () => clock.now(), onError };
  return existsSync(fileURLToPath(LEDGER_WORKER_URL)) ? ThreadedLedgerStore.open(options) : SqliteLedgerStore.open(options);
}

/** The monthly budget of every client key that has one, by budget scope. */
function budgetLimits(config: GatewayConfig): Map<string, bigint> {
  const limits = new Map<string, bigint>();
  for (const key of config.auth.keys.values()) if (key.monthlyBudgetPicos !== undefined) limits.set(clientKeyBudget(key.id), key.monthlyBudgetPicos);
  return limits;
}

/** One log line per change of the ledger's state, never one per request. */
function logStateChange(log: Logger, c: LedgerStateChange): void {
  switch (c.state) {
    case "spilling":
      if (c.previous === "ok") log.log("error", `usage ledger failed: spilling to ${c.spillPath ?? "(no spill)"}`, { err: c.storeError ?? c.spillError });
      else log.log("warn", `usage ledger or spill writable again: serving, rows wait in ${c.spillPath ?? "(no spill)"} to be replayed`, { err: c.storeError });
      return;
    case "down":
      log.log("error", "usage ledger and spill both failed: refusing requests", { ledgerErr: c.storeError, spillErr: c.spillError, spill: c.spillPath });
      return;
    case "ok":
      log.log(c.skipped || c.dropped ? "warn" : "info", `usage ledger recovered: ${c.replayed ?? 0} spilled rows replayed`, {
        skippedLines: c.skipped,
        droppedRows: c.dropped,
        from: c.previous,
      });
      return;
  }
}

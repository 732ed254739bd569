/** Composition of the accounting side: the ledger file, budgets from client keys, retention. */
import { BudgetGuard, clientKeyBudget } from "../accounting/budget/budget-guard.js";
import { Ledger } from "../accounting/ledger/ledger.js";
import { startRetention } from "../accounting/ledger/retention.js";
import { SqliteLedgerStore } from "../accounting/ledger/sqlite-ledger.js";
import { LEDGER_WORKER_URL, ThreadedLedgerStore } from "../accounting/ledger/ledger-writer.js";
import type { LedgerStore } from "../accounting/ledger/ledger-store.js";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { GatewayConfig } from "../config/schema.js";
import type { Clock } from "../gateway/clock.js";
import type { Logger } from "../telemetry/log.js";

/** The accounting components of a running gateway. */
export interface Accounting {
  readonly ledger: Ledger;
  readonly budgets: BudgetGuard;
  /** Stops retention and closes the ledger after flushing it. */
  close(): Promise<void>;
}

/** Opens (or creates) the ledger, loads this month's spend of every budgeted key and starts retention. */
export async function openAccounting(config: GatewayConfig, clock: Clock, log: Logger): Promise<Accounting> {
  const onError = (err: unknown): void => log.log("error", "usage ledger error", { err });
  // Writes and reports (the budgets' spend loaded below too) run in child processes of their own when the compiled
  // scripts are there (always, from dist/), so a fault of the file never ends the gateway; sources run by vitest
  // use the file on the event loop.
  const options = { path: config.ledger.path, now: () => clock.now(), onError };
  const store: LedgerStore = existsSync(fileURLToPath(LEDGER_WORKER_URL)) ? await ThreadedLedgerStore.open(options) : SqliteLedgerStore.open(options);
  const ledger = new Ledger(store);
  const limits = new Map<string, bigint>();
  for (const key of config.auth.keys.values()) if (key.monthlyBudgetPicos !== undefined) limits.set(clientKeyBudget(key.id), key.monthlyBudgetPicos);
  const budgets = await BudgetGuard.load(ledger, limits, clock.now());
  ledger.onCommit((rows) => budgets.add(rows));
  const retention = startRetention(ledger, config.ledger.retentionDays, () => clock.now(), onError);
  retention.first.catch(onError);
  return {
    ledger,
    budgets,
    async close() {
      retention.stop();
      await ledger.close();
    },
  };
}

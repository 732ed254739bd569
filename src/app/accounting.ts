/** Composition of the accounting side: the ledger file, budgets from client keys, retention, refusal rows. */
import { BudgetGuard, clientKeyBudget } from "../accounting/budget/budget-guard.js";
import { Ledger } from "../accounting/ledger/ledger.js";
import { requestRows } from "../accounting/ledger/ledger-rows.js";
import { startRetention } from "../accounting/ledger/retention.js";
import { SqliteLedgerStore } from "../accounting/ledger/sqlite-ledger.js";
import { LEDGER_WORKER_URL, ThreadedLedgerStore } from "../accounting/ledger/ledger-writer.js";
import type { LedgerStore } from "../accounting/ledger/ledger-store.js";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { GatewayConfig } from "../config/schema.js";
import type { Clock } from "../gateway/clock.js";
import type { RefusalRecorder } from "../gateway/admission/admission.js";
import type { Logger } from "../telemetry/log.js";

/** The accounting components of a running gateway. */
export interface Accounting {
  readonly ledger: Ledger;
  readonly budgets: BudgetGuard;
  /** Writes the row of a request refused before any provider call. */
  readonly recordRefusal: RefusalRecorder;
  /** Stops retention and closes the ledger after flushing it. */
  close(): Promise<void>;
}

/** Opens (or creates) the ledger, loads this month's spend of every budgeted key and starts retention. */
export async function openAccounting(config: GatewayConfig, clock: Clock, log: Logger): Promise<Accounting> {
  const onError = (err: unknown): void => log.log("error", "usage ledger error", { err });
  // Writes and reports run in threads of their own when the compiled scripts are there (always, from dist/);
  // sources run by vitest use the file on the event loop.
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
    async recordRefusal(req, clientKey, reason) {
      const now = clock.now();
      const facts = { requestId: req.requestId, clientKey, tags: req.tags, route: undefined, streamed: false, startedAt: now, outcome: "failed" as const, latencyMs: 0, ttftMs: undefined, refusal: reason };
      await ledger.record(requestRows(facts, [])).catch(onError);
    },
    async close() {
      retention.stop();
      await ledger.close();
    },
  };
}

/** The usage ledger as the core writes to it: every request's attempts, durable before its answer leaves. */
import type { Ledger } from "../accounting/ledger/ledger.js";
import { requestRows } from "../accounting/ledger/ledger-rows.js";
import type { LedgerRequestOutcome } from "../accounting/ledger/ledger-record.js";
import type { Logger } from "../telemetry/log.js";
import type { RequestEnd } from "./observer.js";

/** Where the core accounts each ended request; `record` resolves once its rows are durable. */
export interface UsageRecorder {
  record(end: RequestEnd): Promise<void>;
}

/** A recorder that keeps nothing (tests of the core that do not look at money). */
export const NO_USAGE: UsageRecorder = { record: async () => undefined };

/** Records into the ledger; a failed write is logged loudly (the provider has billed, the client keeps its answer). */
export function ledgerRecorder(ledger: Ledger, log: Logger): UsageRecorder {
  return {
    async record(end) {
      const rows = requestRows(
        {
          requestId: end.request.requestId,
          clientKey: end.clientKey,
          tags: end.request.tags,
          route: end.route,
          target: requestTarget(end),
          streamed: end.streamed,
          startedAt: end.startedAt,
          outcome: ledgerOutcome(end.outcome),
          latencyMs: end.totalMs,
          ttftMs: requestTtft(end),
          refusal: end.refusal,
        },
        end.attempts,
      );
      try {
        await ledger.record(rows);
      } catch (err) {
        log.log("error", "usage ledger write failed: these attempts are not accounted", { requestId: end.request.requestId, rows: rows.length, err });
      }
    },
  };
}

/** The ledger's request outcome for the client's status. */
export function ledgerOutcome(outcome: RequestEnd["outcome"]): LedgerRequestOutcome {
  return outcome === "ok" ? "succeeded" : outcome === "cancelled" ? "cancelled" : "failed";
}

/**
 * What the client asked for, under which a request without attempts is counted. A name the catalogue does not
 * know is left out (""): every string a client sends would otherwise become a report group and rollup row of its own.
 */
function requestTarget(end: RequestEnd): string {
  return end.refusal === "not_found" ? "" : end.request.target;
}

/** From the request's arrival to its first streamed token, when it had one. */
function requestTtft(end: RequestEnd): number | undefined {
  if (!end.streamed) return undefined;
  const served = end.attempts.find((a) => a.outcome === "succeeded" && a.ttftMs !== undefined);
  return served?.ttftMs === undefined ? undefined : served.startedAt - end.startedAt + served.ttftMs;
}

/** The observer that writes every attempt of every request to the usage ledger before the answer leaves. */
import type { Ledger } from "../../accounting/ledger/ledger.js";
import { requestRows } from "../../accounting/ledger/ledger-rows.js";
import type { LedgerRequestOutcome } from "../../accounting/ledger/ledger-record.js";
import type { Logger } from "../../telemetry/log.js";
import type { GatewayObserver, RequestEnd } from "../observer.js";

/** Builds the ledger observer; a failed write is logged loudly (the provider has billed, the client keeps its answer). */
export function ledgerObserver(ledger: Ledger, log: Logger): GatewayObserver {
  return {
    attemptStarted: () => () => undefined,
    failover: () => undefined,
    hedgeStarted: () => undefined,
    async requestEnded(end) {
      const rows = requestRows(
        {
          requestId: end.request.requestId,
          clientKey: end.clientKey,
          tags: end.request.tags,
          route: end.route,
          streamed: end.streamed,
          startedAt: end.startedAt,
          outcome: ledgerOutcome(end.outcome),
          latencyMs: end.totalMs,
          ttftMs: requestTtft(end),
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

/** From the request's arrival to its first streamed token, when it had one. */
function requestTtft(end: RequestEnd): number | undefined {
  if (!end.streamed) return undefined;
  const served = end.attempts.find((a) => a.outcome === "succeeded" && a.ttftMs !== undefined);
  return served?.ttftMs === undefined ? undefined : served.startedAt - end.startedAt + served.ttftMs;
}

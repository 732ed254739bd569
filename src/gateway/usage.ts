/** The usage ledger as the core writes to it: every request's attempts, durable before its answer leaves. */
import type { Ledger } from "../accounting/ledger/ledger.js";
import { requestRows } from "../accounting/ledger/ledger-rows.js";
import type { LedgerRequestOutcome } from "../accounting/ledger/ledger-record.js";
import { LedgerUnavailableError } from "../accounting/ledger/ledger-state.js";
import type { Logger } from "../telemetry/log.js";
import type { RequestEnd } from "./observer.js";
import { GatewayError } from "./types.js";

/** Where the core accounts each ended request; `record` resolves once its rows are durable, and rejects when they cannot be. */
export interface UsageRecorder {
  record(end: RequestEnd): Promise<void>;
}

/** What a client is told when its request's rows could not be made durable. */
export const UNRECORDED = "the usage ledger cannot record this request; it was not answered";

/** A recorder that keeps nothing (tests of the core that do not look at money). */
export const NO_USAGE: UsageRecorder = { record: async () => undefined };

/**
 * Records into the ledger: resolves once the rows are durable (committed, or spilled while the ledger fails). When
 * they cannot be, the request fails closed with UNAVAILABLE, for every key: no answer leaves without its rows.
 * Storage failures are logged once per change of the ledger's state (see app/accounting.ts), not per request.
 */
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
          ...(end.request.operation === "embeddings" ? { operation: end.request.operation } : {}),
        },
        end.attempts,
      );
      try {
        await ledger.record(rows);
      } catch (err) {
        // Anything but a storage failure (a row the ledger refuses) is a bug: say so per request.
        if (!(err instanceof LedgerUnavailableError)) log.log("error", "usage ledger refused a request's rows", { requestId: end.request.requestId, rows: rows.length, err });
        throw new GatewayError("unavailable", UNRECORDED, end.attempts);
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

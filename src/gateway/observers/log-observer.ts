/** Logs each failed provider attempt with its raw cause, and each implausible usage report, for operators (the logger redacts secrets). */
import type { Logger } from "../../telemetry/log.js";
import type { GatewayObserver } from "../observer.js";

/** An observer writing one warn line per failed attempt or bounded usage report, and one per failed request. */
export function logObserver(logger: Logger): GatewayObserver {
  return {
    attemptStarted(info) {
      return (record, close) => {
        if (record.usageBasis === "bounded") {
          logger.log("warn", "provider reported usage beyond what the request could use: billed at the bound", {
            requestId: info.request.requestId,
            attempt: record.number,
            model: record.model,
            provider: record.provider,
            billed: record.usage,
          });
        }
        if (record.outcome !== "failed") return;
        logger.log("warn", "provider attempt failed", {
          requestId: info.request.requestId,
          attempt: record.number,
          model: record.model,
          provider: record.provider,
          kind: record.errorKind,
          status: record.httpStatus,
          reason: record.reason,
          cause: causeText(close.cause),
        });
      };
    },
    failover: () => undefined,
    hedgeStarted: () => undefined,
    requestEnded(end) {
      if (end.outcome !== "ok") logger.log("info", "request failed", { requestId: end.request.requestId, outcome: end.outcome, attempts: end.attempts.length });
    },
  };
}

function causeText(cause: unknown): string | undefined {
  if (cause === undefined) return undefined;
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`.slice(0, 1000);
  return String(cause).slice(0, 1000);
}

/**
 * The report worker's thread: a read-only connection of its own to the ledger file, answering aggregate
 * queries, so that a report over millions of rows never holds the gateway's event loop. WAL mode lets it
 * read while the gateway writes.
 */
import { parentPort, workerData } from "node:worker_threads";
import { aggregateRead } from "./aggregate-read.js";
import { registerSketchFunctions } from "./latency-sketch.js";
import type { AggregateQuery, GroupAggregate } from "../ledger/ledger-store.js";
import { openSqlite } from "../ledger/sqlite-driver.js";
import type { SqliteDatabase } from "../ledger/sqlite-driver.js";

/** A query to the worker. */
export interface ReportRequest {
  readonly id: number;
  readonly query: AggregateQuery;
}

/** The worker's answer to a query: its groups, or why it failed. */
export type ReportReply = { readonly id: number; readonly ok: true; readonly value: GroupAggregate[] } | { readonly id: number; readonly ok: false; readonly error: string };

const port = parentPort;
const path = (workerData as { path?: unknown } | null)?.path;
const text = (err: unknown): string => (err instanceof Error ? err.message : String(err));

if (port && typeof path === "string") {
  let db: SqliteDatabase | undefined;
  let failure = "";
  try {
    db = openSqlite(path, { readonly: true });
    registerSketchFunctions(db);
  } catch (err) {
    failure = `cannot open the ledger for reports: ${text(err)}`;
  }
  port.on("message", (req: ReportRequest) => {
    try {
      if (!db) throw new Error(failure);
      const reply: ReportReply = { id: req.id, ok: true, value: aggregateRead(db, req.query) };
      port.postMessage(reply);
    } catch (err) {
      const reply: ReportReply = { id: req.id, ok: false, error: text(err) };
      port.postMessage(reply);
    }
  });
}

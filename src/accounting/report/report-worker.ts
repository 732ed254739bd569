/**
 * The report worker's process (started by report-reader.ts through isolate.ts): a read-only connection of its
 * own to the ledger file, answering aggregate queries, so that a report over millions of rows never holds the
 * gateway's event loop, and a fault of the file's shared memory (SIGBUS) ends this process, not the gateway.
 * WAL mode lets it read while the writer writes.
 */
import { isolateParent } from "../ledger/isolate.js";
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

let db: SqliteDatabase | undefined;
const parent = isolateParent<ReportRequest, ReportReply>(() => db?.close());
const path = (parent?.data as { path?: unknown } | null | undefined)?.path;
const text = (err: unknown): string => (err instanceof Error ? err.message : String(err));

if (parent && typeof path === "string") {
  let failure = "";
  try {
    db = openSqlite(path, { readonly: true });
    registerSketchFunctions(db);
  } catch (err) {
    failure = `cannot open the ledger for reports: ${text(err)}`;
  }
  parent.onMessage((req) => {
    try {
      if (!db) throw new Error(failure);
      parent.send({ id: req.id, ok: true, value: aggregateRead(db, req.query) });
    } catch (err) {
      parent.send({ id: req.id, ok: false, error: text(err) });
    }
  });
}

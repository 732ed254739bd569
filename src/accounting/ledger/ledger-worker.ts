/**
 * The ledger writer's process (started by ledger-writer.ts through isolate.ts): it owns the SQLite write
 * connection, so that commits, WAL checkpoints (and their fsyncs) and roll-ups never hold the gateway's event
 * loop, and a fault of the file's shared memory (SIGBUS) ends this process, not the gateway.
 */
import { isolateParent } from "./isolate.js";
import type { LedgerRecord } from "./ledger-record.js";
import type { AggregateQuery, GroupAggregate } from "./ledger-store.js";
import type { Durability } from "./sqlite-ledger.js";
import { SqliteLedgerStore } from "./sqlite-ledger.js";

/** How the worker opens the file. */
export interface WriterSettings {
  readonly path: string;
  readonly durability: Durability | undefined;
  readonly rollupEvery: number | undefined;
  /** Epoch ms stamped on schema versions applied at open. */
  readonly nowMs: number;
}

/** A request to the writer; `id` pairs it with its reply. */
export type WriterRequest =
  | { readonly id: number; readonly op: "append"; readonly rows: readonly LedgerRecord[] }
  | { readonly id: number; readonly op: "rollUp" }
  | { readonly id: number; readonly op: "prune"; readonly beforeMs: number }
  | { readonly id: number; readonly op: "aggregate"; readonly query: AggregateQuery }
  | { readonly id: number; readonly op: "close" };

/** What each kind of request resolves with. */
export interface WriterResults {
  readonly append: undefined;
  readonly rollUp: undefined;
  readonly prune: number;
  readonly aggregate: readonly GroupAggregate[];
  readonly close: undefined;
}

/** What a request resolves with: rows pruned, groups aggregated, or nothing. */
export type WriterValue = WriterResults[keyof WriterResults];

/**
 * The writer's messages: the file opened (with its schema version) or not (the process then ends), a reply to
 * a request, or a background failure (a roll-up) to log.
 */
export type WriterReply =
  | { readonly kind: "ready"; readonly schemaVersion: number }
  | { readonly kind: "unopened"; readonly error: string }
  | { readonly kind: "reply"; readonly id: number; readonly ok: true; readonly value: WriterValue }
  | { readonly kind: "reply"; readonly id: number; readonly ok: false; readonly error: string }
  | { readonly kind: "failed"; readonly error: string };

let store: SqliteLedgerStore | undefined;
// A writer whose gateway is gone closes the file (between two transactions) and exits.
const parent = isolateParent<WriterRequest, WriterReply>(() => void store?.close());
const settings = parent?.data as WriterSettings | null | undefined;
const text = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function run(store: SqliteLedgerStore, req: WriterRequest): Promise<WriterValue> {
  switch (req.op) {
    case "append":
      await store.append(req.rows);
      return undefined;
    case "rollUp":
      await store.rollUp();
      return undefined;
    case "prune":
      return store.prune(req.beforeMs);
    case "aggregate":
      return store.aggregate(req.query);
    case "close":
      await store.close();
      return undefined;
  }
}

if (parent && settings) {
  const send = (reply: WriterReply): void => parent.send(reply);
  try {
    const onError = (err: unknown): void => send({ kind: "failed", error: text(err) });
    store = SqliteLedgerStore.open({ path: settings.path, durability: settings.durability, rollupEvery: settings.rollupEvery, now: () => settings.nowMs, onError });
  } catch (err) {
    // Say why and end the process: the gateway fails what it sent and tries a new writer for the next request.
    parent.end({ kind: "unopened", error: `cannot open the usage ledger at ${settings.path}: ${text(err)}` });
  }
  const opened = store;
  if (opened) {
    send({ kind: "ready", schemaVersion: opened.schemaVersion });
    // Appends are synchronous, so they commit in message order; a prune yields between its chunks and lets
    // appends through, as it does on the event loop.
    parent.onMessage((req) => {
      run(opened, req).then(
        (value) => send({ kind: "reply", id: req.id, ok: true, value }),
        (err: unknown) => send({ kind: "reply", id: req.id, ok: false, error: text(err) }),
      );
    });
  }
}

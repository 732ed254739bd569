/** Reports off the event loop: aggregate queries answered by a child process with its own read connection. */
import { startIsolate } from "../ledger/isolate.js";
import type { Isolate } from "../ledger/isolate.js";
import type { AggregateQuery, GroupAggregate } from "../ledger/ledger-store.js";
import type { ReportReply, ReportRequest } from "./report-worker.js";

interface Pending {
  readonly resolve: (value: GroupAggregate[]) => void;
  readonly reject: (err: Error) => void;
}

/** The compiled worker script next to this module (reports run in-thread where it is absent, as under vitest). */
export const REPORT_WORKER_URL = new URL("./report-worker.js", import.meta.url);

/** How long an idle worker is kept for the next report before it is stopped (a Node process: tens of MiB). */
const IDLE_MS = 60_000;

type ReportIsolate = Isolate<ReportRequest, ReportReply>;

/**
 * A worker process started on the first query and stopped after `idleMs` without one; it holds the gateway's
 * process open only while a query runs. One that dies (a signal, a crash) fails only the queries it had not
 * answered, is told to `onError` once, and is replaced by the next query.
 */
export class ReportReader {
  readonly #path: string;
  readonly #url: URL;
  readonly #idleMs: number;
  readonly #onError: (err: Error) => void;
  readonly #pending = new Map<number, Pending>();
  #worker: ReportIsolate | undefined;
  #idle: NodeJS.Timeout | undefined;
  #next = 1;

  constructor(path: string, url: URL = REPORT_WORKER_URL, idleMs = IDLE_MS, onError: (err: Error) => void = () => undefined) {
    this.#path = path;
    this.#url = url;
    this.#idleMs = idleMs;
    this.#onError = onError;
  }

  /** True while the worker process exists. */
  get running(): boolean {
    return this.#worker !== undefined;
  }

  /** Runs the aggregation in the worker. */
  aggregate(query: AggregateQuery): Promise<GroupAggregate[]> {
    clearTimeout(this.#idle);
    const worker = this.#start();
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.ref();
      const request: ReportRequest = { id, query };
      worker.postMessage(request);
    });
  }

  /** Stops the worker; queries still running are rejected. */
  async close(): Promise<void> {
    clearTimeout(this.#idle);
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await worker.terminate();
    this.#fail(new Error("the ledger is closed"));
  }

  #start(): ReportIsolate {
    if (this.#worker) return this.#worker;
    const worker = startIsolate<ReportRequest, ReportReply>(this.#url, { path: this.#path });
    worker.unref();
    worker.on("message", (reply: ReportReply) => {
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) {
        worker.unref();
        this.#idle = setTimeout(() => this.#stopIdle(worker), this.#idleMs).unref();
      }
      if (!pending) return;
      if (reply.ok) pending.resolve(reply.value);
      else pending.reject(new Error(reply.error));
    });
    // Only the current worker's end fails the queries in flight and is told (one this reader stopped, idle or
    // closed, is no longer current).
    const gone = (err: Error): void => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#onError(err);
      this.#fail(err);
    };
    worker.on("error", gone);
    worker.on("exit", (code, signal) => gone(new Error(`the report worker stopped (${signal ? `signal ${signal}` : `exit code ${code}`})`)));
    this.#worker = worker;
    return worker;
  }

  #stopIdle(worker: ReportIsolate): void {
    if (this.#worker !== worker || this.#pending.size > 0) return;
    this.#worker = undefined;
    void worker.terminate();
  }

  #fail(err: Error): void {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }
}

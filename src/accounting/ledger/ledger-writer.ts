/**
 * The ledger store in processes of its own: appends, roll-ups and pruning run in a child process that owns the
 * SQLite write connection (ledger-worker.ts), reports in a reader process (report-reader.ts), so the gateway
 * holds no connection (and no mapping of the file's shared memory) at all. The event loop only posts rows and
 * resolves promises; an append still resolves only after its rows are committed.
 */
import { startIsolate } from "./isolate.js";
import type { Isolate } from "./isolate.js";
import type { LedgerRecord } from "./ledger-record.js";
import type { AggregateQuery, GroupAggregate, LedgerStore } from "./ledger-store.js";
import type { WriterReply, WriterRequest, WriterResults, WriterSettings, WriterValue } from "./ledger-worker.js";
import { ReportReader } from "../report/report-reader.js";
import type { SqliteLedgerOptions } from "./sqlite-ledger.js";

/** The compiled writer script next to this module (absent under vitest, which runs sources). */
export const LEDGER_WORKER_URL = new URL("./ledger-worker.js", import.meta.url);

/** How to open the isolated ledger: as the in-thread store, plus where the child scripts are. */
export interface ThreadedLedgerOptions extends SqliteLedgerOptions {
  /** The writer script (default LEDGER_WORKER_URL). */
  readonly workerUrl?: URL;
  /** The report script; reports of a file run there (default its compiled script), of ":memory:" in the writer. */
  readonly reportWorkerUrl?: URL;
}

/**
 * The writer's young generation is kept small: what it allocates (the rows it is sent) dies at once, and
 * V8's default lets it grow to tens of MiB under load. Two semi-spaces of 2 MiB: the 4 MiB new space its worker
 * thread had with `maxYoungGenerationSizeMb: 4` (measured with v8.getHeapSpaceStatistics on Node 20).
 */
const WRITER_FLAGS = ["--max-semi-space-size=2"];

type WriterIsolate = Isolate<WriterRequest, WriterReply>;

/** Starts a writer process. */
function startWriter(url: URL, settings: WriterSettings): WriterIsolate {
  return startIsolate<WriterRequest, WriterReply>(url, settings, { execArgv: WRITER_FLAGS });
}

/** How a child ended, for messages. */
function ending(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

interface Pending {
  readonly resolve: (value: WriterValue) => void;
  readonly reject: (err: Error) => void;
}

/** Each kind of request without its id (the id is given when it is sent). */
type WithoutId<R> = R extends unknown ? Omit<R, "id"> : never;
type Op = WithoutId<WriterRequest>;

/**
 * A LedgerStore whose writes run in a child process; a writer that stops (a crash, a signal such as SIGBUS) is
 * told to `onError` once, fails only what it had not answered, and is replaced on the next request.
 */
export class ThreadedLedgerStore implements LedgerStore {
  /** The schema version of the open file. */
  readonly schemaVersion: number;
  readonly #settings: WriterSettings;
  readonly #url: URL;
  readonly #onError: (err: unknown) => void;
  readonly #reader: ReportReader | undefined;
  readonly #pending = new Map<number, Pending>();
  #worker: WriterIsolate | undefined;
  #next = 1;
  #closed = false;

  private constructor(worker: WriterIsolate, schemaVersion: number, settings: WriterSettings, options: ThreadedLedgerOptions) {
    this.schemaVersion = schemaVersion;
    this.#settings = settings;
    this.#url = options.workerUrl ?? LEDGER_WORKER_URL;
    this.#onError = options.onError ?? (() => undefined);
    this.#reader = options.path === ":memory:" ? undefined : new ReportReader(options.path, options.reportWorkerUrl, undefined, this.#onError);
    this.#attach(worker);
  }

  /** Starts the writer, which opens (or creates) the file and applies migrations; rejects when it cannot. */
  static async open(options: ThreadedLedgerOptions): Promise<ThreadedLedgerStore> {
    const settings: WriterSettings = { path: options.path, durability: options.durability, rollupEvery: options.rollupEvery, nowMs: options.now() };
    const worker = startWriter(options.workerUrl ?? LEDGER_WORKER_URL, settings);
    try {
      const first = await firstMessage(worker);
      if (first.kind !== "ready") throw new Error(first.kind === "unopened" ? first.error : "the ledger writer answered before opening the file");
      return new ThreadedLedgerStore(worker, first.schemaVersion, settings, options);
    } catch (err) {
      await worker.terminate();
      throw err;
    }
  }

  /** The writer's process id, while one runs. */
  get writerPid(): number | undefined {
    return this.#worker?.pid;
  }

  /** Commits the rows in one transaction in the writer process. */
  async append(rows: readonly LedgerRecord[]): Promise<void> {
    await this.#call({ op: "append", rows });
  }

  /** Folds every unfolded row into the rollups now. */
  async rollUp(): Promise<void> {
    await this.#call({ op: "rollUp" });
  }

  /** Deletes whole UTC days before the day of `beforeMs`; resolves with the rows deleted. */
  async prune(beforeMs: number): Promise<number> {
    return this.#call({ op: "prune", beforeMs });
  }

  /** Aggregates in the report process (a file) or the writer (":memory:"). */
  async aggregate(query: AggregateQuery): Promise<readonly GroupAggregate[]> {
    if (this.#reader) return this.#reader.aggregate(query);
    return this.#call({ op: "aggregate", query });
  }

  /** Closes the file (after the requests already sent) and stops both processes; what it never answered is rejected. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#reader?.close();
    const worker = this.#worker;
    if (!worker) return;
    try {
      await this.#send(worker, { op: "close" });
    } finally {
      this.#worker = undefined;
      await worker.terminate();
      this.#fail(new Error("the usage ledger was closed before this request was answered"));
    }
  }

  #call<K extends keyof WriterResults>(op: Extract<Op, { readonly op: K }>): Promise<WriterResults[K]> {
    if (this.#closed) return Promise.reject(new Error("the usage ledger is closed"));
    return this.#send(this.#worker ?? this.#attach(startWriter(this.#url, this.#settings)), op);
  }

  #send<K extends keyof WriterResults>(worker: WriterIsolate, op: Extract<Op, { readonly op: K }>): Promise<WriterResults[K]> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      // The worker answers each kind of request with that kind's result.
      this.#pending.set(id, { resolve: (value) => resolve(value as WriterResults[K]), reject });
      if (this.#pending.size === 1) worker.ref();
      const request = { ...op, id } as WriterRequest;
      worker.postMessage(request);
    });
  }

  #fail(err: Error): void {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }

  #attach(worker: WriterIsolate): WriterIsolate {
    this.#worker = worker;
    worker.unref();
    let unopened: string | undefined;
    worker.on("message", (msg: WriterReply) => {
      if (msg.kind === "failed" || msg.kind === "unopened") {
        if (msg.kind === "unopened") unopened = msg.error;
        this.#onError(new Error(msg.error));
        return;
      }
      if (msg.kind !== "reply") return;
      const pending = this.#pending.get(msg.id);
      if (!pending) return;
      this.#pending.delete(msg.id);
      if (this.#pending.size === 0) worker.unref();
      if (msg.ok) pending.resolve(msg.value);
      else pending.reject(new Error(msg.error));
    });
    // A writer that stops fails what it had not answered (committed or not: unknown); the next request starts a
    // new one.
    const gone = (err: Error): void => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      if (!this.#closed && unopened === undefined) this.#onError(err);
      this.#fail(err);
    };
    worker.on("error", gone);
    worker.on("exit", (code, signal) => gone(new Error(unopened ?? `the usage ledger writer stopped (${ending(code, signal)}); whether it committed the rows it was sent is unknown`)));
    return worker;
  }
}

/** The writer's first message, or its error or exit before one. */
function firstMessage(worker: WriterIsolate): Promise<WriterReply> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    };
    const onMessage = (msg: WriterReply): void => {
      done();
      resolve(msg);
    };
    const onError = (err: Error): void => {
      done();
      reject(err);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      done();
      reject(new Error(`the usage ledger writer stopped while opening the file (${ending(code, signal)})`));
    };
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
  });
}

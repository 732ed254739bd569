/**
 * Child processes where the ledger once used worker threads: every SQLite connection of the gateway lives in a
 * process of its own, so that a storage fault (a SIGBUS on SQLite's memory-mapped wal-index, which no JS can
 * catch and which ends every thread of a process) ends that child, never the gateway. The parent's side has the
 * shape of a Worker as the ledger code uses it; the child's side reads its start data and ends with its parent.
 */
import { fork } from "node:child_process";
import type { ChildProcess, Serializable } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The argument that marks a process started by startIsolate; the start data (JSON) follows it. */
const MARK = "--ledger-isolate";

/** How to start an isolate. */
export interface IsolateOptions {
  /** Node and V8 flags of the child (a heap cap, say); the parent's own flags are not passed on. */
  readonly execArgv?: readonly string[];
}

/** Told how a child ended: its exit code, or the signal that ended it. */
export type IsolateExitListener = (code: number | null, signal: NodeJS.Signals | null) => void;

const ignore = (): void => undefined;

/**
 * The parent's handle of a child process: messages both ways (structured clone, so bigint and undefined pass
 * as through a worker's postMessage), its end, and stopping it. "exit" comes after the child's last message.
 */
export class Isolate<In, Out> {
  readonly #child: ChildProcess;
  readonly #onMessage = new Set<(msg: Out) => void>();
  readonly #onExit = new Set<IsolateExitListener>();
  readonly #onError = new Set<(err: Error) => void>();
  readonly #ended: Promise<void>;

  /** Wraps a child forked with an IPC channel in "advanced" serialization (see startIsolate). */
  constructor(child: ChildProcess) {
    this.#child = child;
    // The child's messages are those of the script this parent started: their type is the script's contract.
    child.on("message", (msg: Serializable) => {
      for (const fn of this.#onMessage) fn(msg as Out);
    });
    child.on("error", (err: Error) => {
      for (const fn of this.#onError) fn(err);
    });
    // "close" (not "exit"): it waits for the IPC channel to close, so every message the child sent came first.
    this.#ended = new Promise((resolve) => {
      child.once("close", (code: number | null, signal: NodeJS.Signals | null) => {
        resolve();
        for (const fn of this.#onExit) fn(code, signal);
      });
    });
  }

  /** The child's process id (undefined when it could not be started). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Sends a message; one sent to a child that is gone is dropped, as by a stopped Worker (its "exit" tells). */
  postMessage(msg: In): void {
    if (this.#child.connected) this.#child.send(msg as Serializable, undefined, {}, ignore);
  }

  /** Listens to the child's messages, its end, or a failure to start or signal it. */
  on(event: "message", listener: (msg: Out) => void): this;
  on(event: "exit", listener: IsolateExitListener): this;
  on(event: "error", listener: (err: Error) => void): this;
  on(event: "message" | "exit" | "error", listener: ((msg: Out) => void) | IsolateExitListener | ((err: Error) => void)): this {
    this.#listeners(event).add(listener);
    return this;
  }

  /** Removes a listener added with on(). */
  off(event: "message" | "exit" | "error", listener: ((msg: Out) => void) | IsolateExitListener | ((err: Error) => void)): this {
    this.#listeners(event).delete(listener);
    return this;
  }

  /** Lets the child (and its channel) hold the parent's event loop open. */
  ref(): void {
    this.#child.ref();
    this.#child.channel?.ref();
  }

  /** Lets the parent exit while the child lives (the child then ends, its channel closed). */
  unref(): void {
    this.#child.unref();
    this.#child.channel?.unref();
  }

  /** Kills the child at once (as Worker.terminate stops a thread) and resolves once it is gone. */
  terminate(): Promise<void> {
    // A child that never started (no pid) has nothing to stop and may never tell its "close".
    if (this.#child.pid === undefined) return Promise.resolve();
    // Held until it is gone: an unref'd child would let the event loop empty (and the process exit 0) while its
    // parent still awaits this, in the middle of a shutdown.
    this.ref();
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill("SIGKILL");
    return this.#ended;
  }

  #listeners(event: "message" | "exit" | "error"): Set<unknown> {
    return event === "message" ? this.#onMessage : event === "exit" ? this.#onExit : this.#onError;
  }
}

/** Forks `url` (a compiled script) as a child process that gets `data` (JSON) as its start data. */
export function startIsolate<In, Out>(url: URL, data: unknown, options: IsolateOptions = {}): Isolate<In, Out> {
  const child = fork(fileURLToPath(url), [MARK, JSON.stringify(data)], {
    execArgv: [...(options.execArgv ?? [])],
    serialization: "advanced",
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Isolate<In, Out>(child);
}

/** A child's way to its parent (see isolateParent). */
export interface IsolateParent<In, Out> {
  /** The start data given to startIsolate. */
  readonly data: unknown;
  /** Sends a message to the parent (dropped once the parent is gone). */
  send(msg: Out): void;
  /** Sends a last message, then ends this process. */
  end(msg: Out): void;
  /** Listens to the parent's messages. */
  onMessage(listener: (msg: In) => void): void;
}

/**
 * The parent of this process when startIsolate started it, else undefined. SIGINT and SIGTERM (a Ctrl-C, or a
 * service manager signalling the whole group) are left to the parent, which drains and then closes the child;
 * when the parent is gone (its channel closed, even by kill -9) the child runs `onGone` and exits.
 */
export function isolateParent<In, Out>(onGone: () => void = ignore): IsolateParent<In, Out> | undefined {
  const at = process.argv.indexOf(MARK);
  const send = process.send?.bind(process);
  if (at < 0 || !send) return undefined;
  const data: unknown = JSON.parse(process.argv[at + 1] ?? "null");
  process.on("SIGINT", ignore);
  process.on("SIGTERM", ignore);
  process.on("disconnect", () => {
    try {
      onGone();
    } finally {
      process.exit(0);
    }
  });
  const post = (msg: Out, done: () => void): void => {
    if (process.connected) send(msg as Serializable, undefined, {}, done);
    else done();
  };
  return {
    data,
    send: (msg) => post(msg, ignore),
    end: (msg) => post(msg, () => process.exit(0)),
    onMessage: (listener) => {
      process.on("message", (msg: Serializable) => listener(msg as In));
    },
  };
}

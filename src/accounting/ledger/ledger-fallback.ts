/**
 * The Ledger's write path when its store fails: a batch is durable once the store or the spill journal holds it,
 * and only then is it acknowledged (and counted by the commit listeners, budgets included). While rows wait in the
 * spill, the store is probed every `probeMs` by replaying the spill into it, a chunk at a time; row uids make a
 * replay store nothing twice, and once the spill is replayed to its end it is emptied and the state is "ok" again.
 * Replayed rows are not handed to the commit listeners again: they were counted when they were spilled.
 */
import type { LedgerRecord } from "./ledger-record.js";
import type { LedgerStore } from "./ledger-store.js";
import type { SpillJournal } from "./spill.js";
import type { FallbackOptions, LedgerState, LedgerStateChange, Recovery } from "./ledger-state.js";
import { LedgerUnavailableError } from "./ledger-state.js";

type Put = { readonly to: "store" | "spill"; readonly storeError?: unknown } | { readonly to: undefined; readonly storeError: unknown; readonly spillError: unknown };

/** The durable write path of a Ledger: store first, the spill journal when the store fails, probing and replay. */
export class LedgerFallback {
  readonly #store: LedgerStore;
  readonly #spill: SpillJournal | undefined;
  readonly #onDurable: (rows: readonly LedgerRecord[]) => void;
  readonly #probeMs: number;
  readonly #heldCap: number;
  readonly #replayBytes: number;
  readonly #listeners = new Set<(change: LedgerStateChange) => void>();
  #state: LedgerState = "ok";
  #lock: Promise<void> = Promise.resolve();
  #queued = 0;
  #timer: NodeJS.Timeout | undefined;
  #probing = false;
  #held: LedgerRecord[] = [];
  #dropped = 0;
  #offset = 0;
  #replayed = 0;
  #skipped = 0;

  /** `onDurable` is told of every batch made durable for the first time (not of replays); it must not throw. */
  constructor(store: LedgerStore, spill: SpillJournal | undefined, onDurable: (rows: readonly LedgerRecord[]) => void, options: FallbackOptions = {}) {
    this.#store = store;
    this.#spill = spill;
    this.#onDurable = onDurable;
    this.#probeMs = options.probeMs ?? 1_000;
    this.#heldCap = Math.max(1, options.heldRows ?? 10_000);
    this.#replayBytes = options.replayBytes ?? 1 << 20;
  }

  /** The state now. */
  get state(): LedgerState {
    return this.#state;
  }

  /** Registers a listener of state changes (it must not throw); returns its removal. */
  onChange(listener: (change: LedgerStateChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Makes a batch durable (store or spill) and tells `onDurable`; rejects with LedgerUnavailableError when neither takes it. */
  write(rows: readonly LedgerRecord[]): Promise<void> {
    return this.#exclusive(async () => {
      const put = await this.#put(rows);
      if (put.to === undefined) {
        this.#hold(rows);
        this.#set("down", { storeError: put.storeError, spillError: put.spillError });
        throw new LedgerUnavailableError(put.storeError, put.spillError);
      }
      this.#onDurable(rows);
      if (put.to === "spill") this.#set("spilling", { storeError: put.storeError });
      else if (this.#state === "down") this.#probeSoon(); // the store is back: replay what waits, then "ok"
    });
  }

  /** Tries the store now, as the timer does: writes held rows, replays a step of the spill. */
  probe(): Promise<void> {
    return this.#exclusive(() => this.#probe()).then(() => undefined);
  }

  /** Replays a spill left by an earlier run into the store; call before any write. */
  recover(): Promise<Recovery> {
    return this.#exclusive(async () => {
      if (!this.#spill) return { replayed: 0, waiting: [], skipped: 0 };
      let offset = 0;
      let replayed = 0;
      let skipped = 0;
      for (;;) {
        const chunk = await this.#spill.read(offset, this.#replayBytes);
        const rows = chunk.batches.flat();
        skipped += chunk.skipped;
        try {
          if (rows.length > 0) await this.#store.append(rows);
        } catch (storeError) {
          this.#offset = offset;
          this.#set("spilling", { storeError });
          return { replayed, waiting: [...rows, ...(await this.#rest(chunk.next, chunk.end))], skipped };
        }
        replayed += rows.length;
        offset = chunk.next;
        if (chunk.end) break;
      }
      try {
        if (offset > 0) await this.#spill.clear();
      } catch (spillError) {
        // Replayed but not emptied: the probe empties it later (replaying it again stores nothing twice).
        this.#offset = offset;
        this.#set("spilling", { spillError });
      }
      return { replayed, waiting: [], skipped };
    });
  }

  /** Stops probing, makes a last attempt to store what waits (what still fails stays in the spill for the next start), closes the spill. */
  close(): Promise<void> {
    this.#stopTimer();
    return this.#exclusive(async () => {
      while (this.#state !== "ok" && (await this.#probe()));
      await this.#spill?.close();
    });
  }

  /** The store, then the spill (the spill first while spilling: the store is probed, not hammered). */
  async #put(rows: readonly LedgerRecord[]): Promise<Put> {
    const spill = this.#spill;
    let storeError: unknown;
    let spillError: unknown;
    const toStore = async (): Promise<boolean> => {
      try {
        await this.#store.append(rows);
        return true;
      } catch (err) {
        storeError = err;
        return false;
      }
    };
    const toSpill = async (): Promise<boolean> => {
      if (!spill) return false;
      try {
        await spill.append(rows);
        return true;
      } catch (err) {
        spillError = err;
        return false;
      }
    };
    if (this.#state === "spilling") {
      if (await toSpill()) return { to: "spill" };
      if (await toStore()) return { to: "store" };
    } else {
      if (await toStore()) return { to: "store" };
      if (await toSpill()) return { to: "spill", storeError };
    }
    return { to: undefined, storeError, spillError };
  }

  /** Keeps the rows of requests refused as unrecorded, to write once something takes rows: the providers billed them. */
  #hold(rows: readonly LedgerRecord[]): void {
    for (const r of rows) {
      if (this.#held.length >= this.#heldCap) this.#dropped++;
      // The client was refused: the request failed, whatever its attempt did.
      else this.#held.push(r.request?.outcome === "succeeded" ? { ...r, request: { ...r.request, outcome: "failed" } } : r);
    }
  }

  /** One probe: held rows first, then a step of replay. Resolves true when a next step should follow at once. */
  async #probe(): Promise<boolean> {
    if (this.#state === "ok") return false;
    let stored = false;
    if (this.#held.length > 0) {
      const rows = this.#held;
      const put = await this.#put(rows);
      if (put.to === undefined) return false;
      this.#held = [];
      this.#onDurable(rows);
      if (put.to === "spill") {
        this.#set("spilling", { storeError: put.storeError });
        return false;
      }
      stored = true;
    }
    const step = await this.#replayStep();
    // The store took rows but the spill is not replayed yet: requests may be served again.
    if (this.#state === "down" && (stored || step !== "failed")) this.#set("spilling", {});
    return step === "more";
  }

  /** Replays one chunk of the spill from where replay stands; at its end empties the spill and sets "ok". */
  async #replayStep(): Promise<"done" | "more" | "failed"> {
    const spill = this.#spill;
    try {
      if (spill) {
        const chunk = await spill.read(this.#offset, this.#replayBytes);
        const rows = chunk.batches.flat();
        if (rows.length > 0) await this.#store.append(rows);
        this.#replayed += rows.length;
        this.#skipped += chunk.skipped;
        this.#offset = chunk.next;
        if (!chunk.end) return "more";
        // Emptied and closed: no file stays open for writing on the spill's disk while the ledger is fine.
        if (this.#offset > 0) await spill.clear();
        else await spill.close();
      }
    } catch {
      return "failed"; // the next probe tries again from the same place (rows stored twice are stored once)
    }
    this.#set("ok", { replayed: this.#replayed, skipped: this.#skipped, dropped: this.#dropped });
    return "done";
  }

  /** The rows from byte `offset` to the end of the spill (unread ones at start, for the budget). */
  async #rest(offset: number, end: boolean): Promise<LedgerRecord[]> {
    const rows: LedgerRecord[] = [];
    for (let at = offset, done = end; !done && this.#spill; ) {
      const chunk = await this.#spill.read(at, this.#replayBytes);
      for (const batch of chunk.batches) rows.push(...batch);
      at = chunk.next;
      done = chunk.end;
    }
    return rows;
  }

  #set(state: LedgerState, cause: Omit<LedgerStateChange, "state" | "previous" | "spillPath">): void {
    const previous = this.#state;
    if (state === previous) return;
    this.#state = state;
    if (state === "ok") {
      this.#stopTimer();
      this.#offset = 0;
      this.#replayed = this.#skipped = this.#dropped = 0;
    } else {
      this.#startTimer();
    }
    const change: LedgerStateChange = { state, previous, spillPath: this.#spill?.path, ...cause };
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch {
        // A listener's failure must not change what was stored.
      }
    }
  }

  #startTimer(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#probeSoon(), this.#probeMs);
    this.#timer.unref();
  }

  #stopTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Queues a probe unless one is queued; keeps stepping while a replay makes progress. */
  #probeSoon(): void {
    if (this.#probing) return;
    this.#probing = true;
    const run = async (): Promise<void> => {
      let more = false;
      try {
        more = await this.#exclusive(() => this.#probe());
      } catch {
        more = false;
      }
      if (more && this.#timer) setImmediate(() => void run());
      else this.#probing = false;
    };
    void run();
  }

  /** Runs `task` after every task queued before it; at once (the store called in this turn) when none is. */
  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const idle = this.#queued === 0;
    this.#queued++;
    const result = idle ? task() : this.#lock.then(task);
    this.#lock = result.then(
      () => void this.#queued--,
      () => void this.#queued--,
    );
    return result;
  }
}

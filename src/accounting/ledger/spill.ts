/**
 * The spill journal: where ledger batches go, durably, while the ledger cannot take them (a full or read-only
 * disk, an I/O error, a writer that died). An append-only file of one JSON line per batch (spill-codec.ts); an
 * append resolves only once its line is written and fsynced. Put it on another disk than the ledger, so that one
 * full disk does not stop both. The file is opened for writing only while there is something to spill, and is
 * emptied once its rows are replayed into the ledger.
 */
import { open, stat } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import type { LedgerRecord } from "./ledger-record.js";
import { decodeBatch, encodeBatch } from "./spill-codec.js";

/** What one read of the journal found. */
export interface SpillChunk {
  /** The whole, valid batches read, in the order they were spilled. */
  readonly batches: readonly (readonly LedgerRecord[])[];
  /** Where the next read starts (after the last whole line read). */
  readonly next: number;
  /** True when the read reached the end of the file. */
  readonly end: boolean;
  /** Lines skipped: cut by a write that failed or a crash (their batches were never acknowledged), or unreadable. */
  readonly skipped: number;
}

const NEWLINE = 0x0a;

/** An append-only, fsynced journal of ledger batches in one file. */
export class SpillJournal {
  /** The journal's file. */
  readonly path: string;
  #file: FileHandle | undefined;
  /** Bytes in the file as this process knows them (after open, each append, each cut). */
  #size = 0;
  /** True when the file may not end with a newline (a write cut short): the next line starts on a fresh one. */
  #torn = false;

  constructor(path: string) {
    this.path = path;
  }

  /** Bytes in the journal as last seen (0 when nothing waits in it, or before anything was read or written). */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends one batch as one line and fsyncs it; resolves once the line is durable. On a failure the file is cut
   * back to where it was (when it can be), closed, and the promise rejects: a half-written line is never taken
   * for a spilled batch.
   */
  async append(rows: readonly LedgerRecord[]): Promise<void> {
    const file = await this.#open();
    const before = this.#size;
    const line = Buffer.from(this.#torn ? `\n${encodeBatch(rows)}` : encodeBatch(rows), "utf8");
    try {
      let written = 0;
      while (written < line.length) written += (await file.write(line, written, line.length - written)).bytesWritten;
      await file.datasync();
      this.#size = before + line.length;
      this.#torn = false;
    } catch (err) {
      this.#torn = true;
      try {
        await file.truncate(before);
        this.#size = before;
      } catch {
        // The cut-off tail stays; the next line starts on a new one, and reading skips the fragment.
      }
      await this.#drop();
      throw err;
    }
  }

  /**
   * Reads the whole lines from byte `offset` on, up to about `maxBytes` (more when one line is longer). A last line
   * without its newline is a write that never finished: it is skipped, and the read ends there.
   */
  async read(offset: number, maxBytes: number): Promise<SpillChunk> {
    let file: FileHandle;
    try {
      file = await open(this.path, "r");
    } catch (err) {
      if (isNotFound(err)) return { batches: [], next: 0, end: true, skipped: 0 };
      throw err;
    }
    try {
      const size = (await file.stat()).size;
      this.#size = size;
      let want = Math.max(1, maxBytes);
      for (;;) {
        const length = Math.min(want, size - offset);
        if (length <= 0) return { batches: [], next: Math.max(offset, size), end: true, skipped: 0 };
        const buf = Buffer.alloc(length);
        let got = 0;
        while (got < length) {
          const { bytesRead } = await file.read(buf, got, length - got, offset + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        if (got === 0) return { batches: [], next: offset, end: true, skipped: 0 }; // cut shorter since stat
        const atEnd = offset + got >= size;
        const last = buf.lastIndexOf(NEWLINE, got - 1);
        if (last < 0 && !atEnd) {
          want *= 2; // a line longer than what was read: read more
          continue;
        }
        const whole = last < 0 ? 0 : last + 1;
        const { batches, skipped } = parseLines(buf.subarray(0, whole));
        const tail = atEnd && whole < got ? 1 : 0;
        return { batches, next: atEnd ? offset + got : offset + whole, end: atEnd, skipped: skipped + tail };
      }
    } finally {
      await file.close();
    }
  }

  /** Empties the journal (its rows are in the ledger now), syncs it and closes it. */
  async clear(): Promise<void> {
    const file = await this.#open();
    try {
      await file.truncate(0);
      await file.datasync();
      this.#size = 0;
      this.#torn = false;
    } finally {
      await this.#drop();
    }
  }

  /** Closes the file (a later append opens it again). */
  async close(): Promise<void> {
    await this.#drop();
  }

  async #open(): Promise<FileHandle> {
    if (this.#file) return this.#file;
    const created = await stat(this.path).then(
      () => false,
      (err: unknown) => {
        if (isNotFound(err)) return true;
        throw err;
      },
    );
    // O_APPEND: every write lands at the end, whatever this process believes the size to be.
    const file = await open(this.path, "a+");
    try {
      const size = (await file.stat()).size;
      const last = Buffer.alloc(1);
      if (size > 0) await file.read(last, 0, 1, size - 1);
      // A new file's name must survive a crash too: sync its folder once.
      if (created) await syncFolder(dirname(this.path));
      this.#size = size;
      this.#torn = size > 0 && last[0] !== NEWLINE;
      this.#file = file;
      return file;
    } catch (err) {
      await file.close().catch(() => undefined);
      throw err;
    }
  }

  async #drop(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    await file?.close().catch(() => undefined);
  }
}

/** The batches of whole lines (each ending in "\n"); empty lines are nothing, unreadable ones are counted. */
function parseLines(bytes: Buffer): { batches: LedgerRecord[][]; skipped: number } {
  const batches: LedgerRecord[][] = [];
  let skipped = 0;
  for (const line of bytes.toString("utf8").split("\n")) {
    if (line === "") continue;
    try {
      batches.push(decodeBatch(line));
    } catch {
      skipped++;
    }
  }
  return { batches, skipped };
}

async function syncFolder(path: string): Promise<void> {
  const folder = await open(path, "r");
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

function isNotFound(err: unknown): boolean {
  return typeof err === "object" && err !== null && "code" in err && err.code === "ENOENT";
}

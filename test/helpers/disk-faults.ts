/** Disk faults for tests: whether a tmpfs can be mounted, filling a file system, and what a ledger and its spill hold. */
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LedgerRecord } from "../../src/accounting/ledger/ledger-record.js";
import { SpillJournal } from "../../src/accounting/ledger/spill.js";
import { openSqlite } from "../../src/accounting/ledger/sqlite-driver.js";

/** True when this process may mount a tmpfs (root on Linux). */
export function canMount(): boolean {
  if (process.platform !== "linux") return false;
  const probe = mkdtempSync(join(tmpdir(), "gw-mount-probe-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe], { stdio: "ignore" });
    execFileSync("umount", [probe], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** Per request id, [final rows, rows] in the ledger file (read-only, while the gateway runs). */
export function ledgerRows(path: string): Map<string, [number, number]> {
  const db = openSqlite(path, { readonly: true });
  try {
    const rows = db.prepare("SELECT request_id, SUM(final), COUNT(*) FROM ledger GROUP BY request_id").raw(true).all() as [string, number, number][];
    return new Map(rows.map(([id, finals, n]) => [id, [finals, n]]));
  } finally {
    db.close();
  }
}

/** Every row in the spill journal. */
export async function spilledRows(path: string): Promise<LedgerRecord[]> {
  const spill = new SpillJournal(path);
  const rows: LedgerRecord[] = [];
  for (let offset = 0; ; ) {
    const chunk = await spill.read(offset, 1 << 20);
    for (const batch of chunk.batches) rows.push(...batch);
    offset = chunk.next;
    if (chunk.end) return rows;
  }
}

/** Fills the file system of `dir` with one file until it is full. */
export function fill(dir: string): string {
  const path = join(dir, "filler");
  const fd = openSync(path, "w");
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
  } finally {
    closeSync(fd);
  }
  return path;
}

/** The spill journal: lines written and fsynced before append resolves, read back whole, torn lines skipped, emptied. */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LedgerRecord } from "./ledger-record.js";
import { MAX_ROW_PICOS } from "./ledger-record.js";
import { decodeBatch, encodeBatch } from "./spill-codec.js";
import { SpillJournal } from "./spill.js";
import { ledgerRow, testUid } from "../../../test/helpers/ledger-row.js";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "spill-test-"));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

/** A row with every optional field set, one with none, and odd values: a retry, bounded usage, the largest cost, a __proto__ tag. */
function oddRows(): LedgerRecord[] {
  const full: LedgerRecord = {
    ...ledgerRow(2),
    uid: testUid("full"), route: "auto", cachedInputTokens: 3, cacheWriteTokens: 4, ttftMs: 7, retry: true, failover: true, hedge: true, streamed: true,
    usageBasis: "bounded", costPicos: MAX_ROW_PICOS, errorKind: "server_error", tags: JSON.parse('{"__proto__":"x","team":"y"}') as Record<string, string>,
    request: { outcome: "cancelled", latencyMs: 12, ttftMs: 9 },
  };
  const bare: LedgerRecord = { ...ledgerRow(4), uid: testUid("bare"), clientKey: undefined, inputTokens: undefined, outputTokens: undefined, usageUnknown: true, usageBasis: "estimated", request: undefined };
  return [full, bare];
}

async function readAll(spill: SpillJournal): Promise<{ batches: LedgerRecord[][]; skipped: number }> {
  const batches: LedgerRecord[][] = [];
  let skipped = 0;
  for (let offset = 0; ; ) {
    const chunk = await spill.read(offset, 64);
    batches.push(...chunk.batches.map((b) => [...b]));
    skipped += chunk.skipped;
    offset = chunk.next;
    if (chunk.end) return { batches, skipped };
  }
}

describe("spill codec", () => {
  it("round-trips every field of a row, exactly", () => {
    const rows = oddRows();
    const line = encodeBatch(rows);
    expect(line.endsWith("\n")).toBe(true);
    expect(line.indexOf("\n")).toBe(line.length - 1);
    const back = decodeBatch(line.slice(0, -1));
    expect(back).toEqual(rows);
    expect(Object.keys(back[0]?.tags ?? {})).toEqual(["__proto__", "team"]);
    expect(back[0]?.costPicos).toBe(MAX_ROW_PICOS);
  });

  it("keeps an embeddings row's operation, leaves a chat row's line as it was, and refuses an unknown operation", () => {
    const embedding = { ...ledgerRow(2), operation: "embeddings" as const };
    expect(decodeBatch(encodeBatch([embedding, ledgerRow(3)]).slice(0, -1))).toEqual([embedding, ledgerRow(3)]);
    expect(encodeBatch([ledgerRow(3)])).not.toContain("operation");
    const odd = encodeBatch([embedding]).replace('"operation":"embeddings"', '"operation":"images"');
    expect(() => decodeBatch(odd.slice(0, -1))).toThrow(/operation/);
  });

  it("refuses a line that is not a whole, valid batch", () => {
    const line = encodeBatch([ledgerRow(1)]).slice(0, -1);
    expect(() => decodeBatch(line.slice(0, -5))).toThrow();
    expect(() => decodeBatch(line.replace('"usageBasis":"reported"', '"usageBasis":"guessed"'))).toThrow(/usageBasis/);
    expect(() => decodeBatch(line.replace('"costPicos":"1001"', '"costPicos":1001'))).toThrow(/costPicos/);
    expect(() => decodeBatch(line.replace('"retry":false,', ""))).toThrow(/retry/);
    expect(() => decodeBatch(line.replace('"v":1', '"v":2'))).toThrow(/format/);
  });
});

describe("SpillJournal", () => {
  it("appends one line per batch, fsynced before append resolves, and reads the batches back in order", async () => {
    const path = join(dir, "ledger.db.spill");
    const spill = new SpillJournal(path);
    const handle = await open(join(dir, "probe"), "w");
    const datasync = vi.spyOn(Object.getPrototypeOf(handle) as { datasync(): Promise<void> }, "datasync");
    await handle.close();
    const [full, bare] = oddRows();
    if (!full || !bare) throw new Error("fixture");
    await spill.append([full]);
    expect(datasync).toHaveBeenCalledTimes(1);
    await spill.append([bare, ledgerRow(5)]);
    expect(datasync).toHaveBeenCalledTimes(2);
    expect(readFileSync(path, "utf8").split("\n")).toHaveLength(3);
    expect(spill.size).toBe(statSync(path).size);
    expect(await readAll(spill)).toEqual({ batches: [[full], [bare, ledgerRow(5)]], skipped: 0 });
    await spill.close();
  });

  it("reads in chunks of about maxBytes, and a line longer than that whole", async () => {
    const spill = new SpillJournal(join(dir, "s"));
    const big = Array.from({ length: 40 }, (_, i) => ledgerRow(i));
    await spill.append([ledgerRow(100)]);
    await spill.append(big);
    const first = await spill.read(0, 10);
    expect(first.batches).toEqual([[ledgerRow(100)]]);
    expect(first.end).toBe(false);
    const second = await spill.read(first.next, 10);
    expect(second.batches).toEqual([big]);
    expect(second.end).toBe(true);
    await spill.close();
  });

  it("skips a torn last line (a crash mid-write), and the next append starts on a line of its own", async () => {
    const path = join(dir, "s");
    const line = encodeBatch([ledgerRow(1)]);
    writeFileSync(path, line);
    appendFileSync(path, encodeBatch([ledgerRow(2)]).slice(0, 30));
    const spill = new SpillJournal(path);
    expect(await readAll(spill)).toEqual({ batches: [[ledgerRow(1)]], skipped: 1 });
    await spill.append([ledgerRow(3)]);
    expect(await readAll(spill)).toEqual({ batches: [[ledgerRow(1)], [ledgerRow(3)]], skipped: 1 });
    await spill.close();
  });

  it("cuts a failed append back off, so a line that was not acknowledged is never read", async () => {
    const path = join(dir, "s");
    const spill = new SpillJournal(path);
    await spill.append([ledgerRow(1)]);
    const size = statSync(path).size;
    const handle = await open(join(dir, "probe"), "w");
    const proto = Object.getPrototypeOf(handle) as { datasync(): Promise<void> };
    await handle.close();
    vi.spyOn(proto, "datasync").mockRejectedValueOnce(Object.assign(new Error("EIO: i/o error"), { code: "EIO" }));
    await expect(spill.append([ledgerRow(2)])).rejects.toThrow(/EIO/);
    expect(statSync(path).size).toBe(size);
    await spill.append([ledgerRow(3)]);
    expect(await readAll(spill)).toEqual({ batches: [[ledgerRow(1)], [ledgerRow(3)]], skipped: 0 });
    await spill.close();
  });

  it("is emptied by clear, and reads as empty when there is no file", async () => {
    const path = join(dir, "s");
    const spill = new SpillJournal(path);
    expect(await spill.read(0, 100)).toEqual({ batches: [], next: 0, end: true, skipped: 0 });
    expect(existsSync(path)).toBe(false);
    await spill.append([ledgerRow(1)]);
    await spill.clear();
    expect(statSync(path).size).toBe(0);
    expect(spill.size).toBe(0);
    expect(await readAll(spill)).toEqual({ batches: [], skipped: 0 });
  });

  it("rejects an append it cannot open the file for", async () => {
    const spill = new SpillJournal(join(dir, "no-such-folder", "s"));
    await expect(spill.append([ledgerRow(1)])).rejects.toThrow(/ENOENT/);
  });
});

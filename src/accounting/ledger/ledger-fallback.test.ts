/** The Ledger over a failing store: spilled batches are acknowledged and counted once, replayed once, and nothing is acknowledged that neither took. */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Ledger } from "./ledger.js";
import type { LedgerStateChange } from "./ledger-state.js";
import { LedgerUnavailableError } from "./ledger-state.js";
import { SpillJournal } from "./spill.js";
import { encodeBatch } from "./spill-codec.js";
import { ledgerRow } from "../../../test/helpers/ledger-row.js";
import { FlakyStore } from "../../../test/helpers/flaky-store.js";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ledger-fallback-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A ledger over a flaky store with a spill at `spillPath` (none: null), recording what its listeners are told. */
function setup(spillPath: string | null = join(dir, "ledger.db.spill"), options: { replayBytes?: number; probeMs?: number } = {}) {
  const store = new FlakyStore();
  const spill = spillPath === null ? undefined : new SpillJournal(spillPath);
  const ledger = new Ledger(store, { spill, probeMs: options.probeMs ?? 60_000, replayBytes: options.replayBytes });
  const committed: string[] = [];
  const changes: LedgerStateChange[] = [];
  ledger.onCommit((rows) => committed.push(...rows.map((r) => r.requestId)));
  ledger.onState((c) => changes.push(c));
  return { store, spill, ledger, committed, changes };
}

const states = (changes: readonly LedgerStateChange[]): string[] => changes.map((c) => `${c.previous}>${c.state}`);

describe("Ledger with a spill journal", () => {
  it("acknowledges a batch the store fails once it is spilled, counts it once, and replays it once the store is back", async () => {
    const { store, ledger, committed, changes } = setup();
    store.mode = "fail";
    await ledger.record([ledgerRow(1)]);
    expect(ledger.state).toBe("spilling");
    expect(changes[0]).toMatchObject({ state: "spilling", previous: "ok", spillPath: join(dir, "ledger.db.spill") });
    expect(String(changes[0]?.storeError)).toMatch(/SQLITE_FULL/);
    // While spilling, batches go to the spill: the store is probed, not tried per batch.
    const appends = store.appends;
    await ledger.record([ledgerRow(2), ledgerRow(3)]);
    expect(store.appends).toBe(appends);
    expect(readFileSync(join(dir, "ledger.db.spill"), "utf8").trim().split("\n")).toHaveLength(2);
    await ledger.probe();
    expect(ledger.state).toBe("spilling");
    store.mode = "ok";
    await ledger.probe();
    expect(ledger.state).toBe("ok");
    expect(await store.counts()).toEqual([3n, 3n, 3n, 0n]);
    expect(statSync(join(dir, "ledger.db.spill")).size).toBe(0);
    expect(committed).toEqual(["r1", "r2", "r3"]); // told when spilled, not again on replay
    expect(changes.at(-1)).toMatchObject({ state: "ok", previous: "spilling", replayed: 3, skipped: 0 });
    await ledger.record([ledgerRow(4)]);
    expect(await store.counts()).toEqual([4n, 4n, 4n, 0n]);
    await ledger.close();
  });

  it("stores once a batch whose commit was unknown and that was also spilled", async () => {
    const { store, ledger, committed } = setup();
    store.mode = "commit-then-fail";
    await ledger.record([ledgerRow(1), ledgerRow(2)]);
    expect(ledger.state).toBe("spilling");
    store.mode = "ok";
    await ledger.probe();
    expect(ledger.state).toBe("ok");
    expect(await store.counts()).toEqual([2n, 2n, 2n, 0n]);
    expect(committed).toEqual(["r1", "r2"]);
    await ledger.close();
  });

  it("probes on its own every probeMs and steps through a long spill, letting new batches in between", async () => {
    const { store, ledger, changes } = setup(join(dir, "s"), { replayBytes: 300, probeMs: 5 });
    store.mode = "fail";
    await Promise.all(Array.from({ length: 30 }, (_, i) => ledger.record([ledgerRow(i)])));
    for (let i = 30; i < 40; i++) await ledger.record([ledgerRow(i)]);
    const recovered = new Promise<void>((resolve) => ledger.onState((c) => c.state === "ok" && resolve()));
    store.mode = "ok";
    const during = Array.from({ length: 10 }, (_, i) => ledger.record([ledgerRow(40 + i)]));
    await recovered;
    await Promise.all(during);
    await ledger.flush();
    expect(await store.counts()).toEqual([50n, 50n, 50n, 0n]);
    expect(states(changes)).toEqual(["ok>spilling", "spilling>ok"]);
    await ledger.close();
  });

  it("rejects a batch neither the store nor the spill takes, is down until one does, then stores the held rows as failed requests", async () => {
    const { store, ledger, committed, changes } = setup(join(dir, "missing-folder", "s"));
    store.mode = "fail";
    const first = ledger.record([ledgerRow(1)]);
    await expect(first).rejects.toBeInstanceOf(LedgerUnavailableError);
    await expect(ledger.record([ledgerRow(2)])).rejects.toThrow(/SQLITE_FULL.*ENOENT/);
    expect(ledger.state).toBe("down");
    expect(states(changes)).toEqual(["ok>down"]);
    expect(String(changes[0]?.spillError)).toMatch(/ENOENT/);
    expect(committed).toEqual([]);
    await ledger.probe();
    expect(ledger.state).toBe("down");
    // The spill's folder appears: the held rows go there, and requests may be served again.
    mkdirSync(join(dir, "missing-folder"));
    await ledger.probe();
    expect(ledger.state).toBe("spilling");
    expect(committed).toEqual(["r1", "r2"]);
    store.mode = "ok";
    await ledger.probe();
    expect(ledger.state).toBe("ok");
    // Their clients were refused: both requests are stored as failed (the providers did bill their attempts).
    expect(await store.counts()).toEqual([2n, 2n, 0n, 2n]);
    expect(states(changes)).toEqual(["ok>down", "down>spilling", "spilling>ok"]);
    await ledger.close();
  });

  it("without a spill, is down while the store fails and ok again once it takes the held rows", async () => {
    const { store, ledger, committed, changes } = setup(null);
    store.mode = "fail";
    await expect(ledger.record([ledgerRow(1)])).rejects.toThrow(/no spill journal/);
    store.mode = "ok";
    await ledger.probe();
    expect(states(changes)).toEqual(["ok>down", "down>ok"]);
    expect(committed).toEqual(["r1"]);
    expect(await store.counts()).toEqual([1n, 1n, 0n, 1n]);
    await ledger.close();
  });

  it("replays at start a spill left by an earlier run (its cut-off last line skipped), storing a row already stored once", async () => {
    const path = join(dir, "s");
    const earlier = new SpillJournal(path);
    await earlier.append([ledgerRow(1), ledgerRow(2)]);
    await earlier.append([ledgerRow(3)]);
    await earlier.close();
    appendFileSync(path, encodeBatch([ledgerRow(9)]).slice(0, 40)); // the earlier run died mid-write
    const { store, ledger, committed, changes } = setup(path);
    await store.append([ledgerRow(1)]); // committed before the crash too (its commit was unknown)
    expect(await ledger.recover()).toEqual({ replayed: 3, waiting: [], skipped: 1 });
    expect(await store.counts()).toEqual([3n, 3n, 3n, 0n]);
    expect(statSync(path).size).toBe(0);
    expect([ledger.state, committed, changes]).toEqual(["ok", [], []]);
    await ledger.close();
  });

  it("at start, leaves the spill when the store fails and returns its rows for the budget to count", async () => {
    const path = join(dir, "s");
    const earlier = new SpillJournal(path);
    await earlier.append([ledgerRow(1)]);
    await earlier.append([ledgerRow(2)]);
    await earlier.close();
    const { store, ledger } = setup(path, { replayBytes: 10 });
    store.mode = "fail";
    const recovery = await ledger.recover();
    expect(recovery.waiting.map((r) => r.requestId)).toEqual(["r1", "r2"]);
    expect(ledger.state).toBe("spilling");
    store.mode = "ok";
    await ledger.close(); // a last replay on close
    expect(await store.counts()).toEqual([2n, 2n, 2n, 0n]);
    expect(statSync(path).size).toBe(0);
  });

  it("keeps the spill for the next start when the store still fails at close", async () => {
    const path = join(dir, "s");
    const { store, ledger } = setup(path);
    store.mode = "fail";
    await ledger.record([ledgerRow(7)]);
    await ledger.close();
    expect(readFileSync(path, "utf8")).toBe(encodeBatch([ledgerRow(7)]));
  });
});

import { describe, expect, it } from "vitest";
import { Ledger } from "./ledger.js";
import { LedgerUnavailableError } from "./ledger-state.js";
import type { LedgerRecord } from "./ledger-record.js";
import { refusalRecord } from "./ledger-record.js";
import type { AggregateQuery, GroupAggregate, LedgerStore } from "./ledger-store.js";

function row(id: string): LedgerRecord {
  return refusalRecord({ timeMs: 1_000, requestId: id, clientKey: undefined, tags: {}, route: undefined, target: "m", reason: "test", streamed: false });
}

/** A store whose appends wait until the test releases or fails them. */
class ManualStore implements LedgerStore {
  readonly batches: string[][] = [];
  readonly committed: string[] = [];
  private readonly waiting: { resolve: () => void; reject: (e: Error) => void; ids: string[] }[] = [];
  closed = false;

  append(rows: readonly LedgerRecord[]): Promise<void> {
    const ids = rows.map((r) => r.requestId);
    this.batches.push(ids);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject, ids }));
  }
  release(): void {
    const w = this.waiting.shift();
    if (!w) throw new Error("nothing waits");
    this.committed.push(...w.ids);
    w.resolve();
  }
  fail(): void {
    this.waiting.shift()?.reject(new Error("disk full"));
  }
  get pending(): number {
    return this.waiting.length;
  }
  async aggregate(_q: AggregateQuery): Promise<readonly GroupAggregate[]> {
    return [];
  }
  async prune(): Promise<number> {
    return 0;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function track(p: Promise<void>): { state: "pending" | "resolved" | "rejected"; error?: unknown } {
  const t: { state: "pending" | "resolved" | "rejected"; error?: unknown } = { state: "pending" };
  p.then(
    () => (t.state = "resolved"),
    (e: unknown) => {
      t.state = "rejected";
      t.error = e;
    },
  );
  return t;
}

describe("Ledger group commit", () => {
  it("writes the calls of one turn in one batch and resolves them only once it is committed", async () => {
    const store = new ManualStore();
    const ledger = new Ledger(store);
    const calls = [track(ledger.record([row("a")])), track(ledger.record([row("b"), row("c")])), track(ledger.record([row("d")]))];
    expect(store.batches).toEqual([]);
    await tick();
    expect(store.batches).toEqual([["a", "b", "c", "d"]]);
    await tick();
    expect(calls.map((c) => c.state)).toEqual(["pending", "pending", "pending"]);
    store.release();
    await tick();
    expect(calls.map((c) => c.state)).toEqual(["resolved", "resolved", "resolved"]);
  });

  it("batches the calls made while a write is in flight into the next one, in order", async () => {
    const store = new ManualStore();
    const ledger = new Ledger(store);
    const first = track(ledger.record([row("a")]));
    await tick();
    const second = track(ledger.record([row("b")]));
    const third = track(ledger.record([row("c")]));
    await tick();
    expect(store.batches).toEqual([["a"]]);
    store.release();
    await tick();
    expect(first.state).toBe("resolved");
    expect(store.batches).toEqual([["a"], ["b", "c"]]);
    expect(second.state).toBe("pending");
    store.release();
    await tick();
    expect([second.state, third.state]).toEqual(["resolved", "resolved"]);
    expect(store.committed).toEqual(["a", "b", "c"]);
  });

  it("rejects every call of a failed batch, and only those", async () => {
    const store = new ManualStore();
    const ledger = new Ledger(store);
    const a = track(ledger.record([row("a")]));
    const b = track(ledger.record([row("b")]));
    await tick();
    const c = track(ledger.record([row("c")]));
    store.fail();
    await tick();
    expect([a.state, b.state]).toEqual(["rejected", "rejected"]);
    expect(a.error).toBeInstanceOf(LedgerUnavailableError);
    expect((a.error as Error).message).toMatch(/disk full.*no spill journal/);
    store.release();
    await tick();
    expect(c.state).toBe("resolved");
    expect(store.committed).toEqual(["c"]);
  });

  it("refuses an invalid row at once without holding back the others", async () => {
    const store = new ManualStore();
    const ledger = new Ledger(store);
    const bad = track(ledger.record([row("ok-too"), { ...row("bad"), costPicos: -1n }]));
    const good = track(ledger.record([row("good")]));
    await tick();
    expect(bad.state).toBe("rejected");
    expect(String(bad.error)).toContain("costPicos");
    expect(store.batches).toEqual([["good"]]);
    store.release();
    await tick();
    expect(good.state).toBe("resolved");
  });

  it("writes at once when maxBatch rows wait", async () => {
    const store = new ManualStore();
    const ledger = new Ledger(store, { maxBatch: 3 });
    void ledger.record([row("a"), row("b")]);
    expect(store.batches).toEqual([]);
    void ledger.record([row("c")]);
    expect(store.batches).toEqual([["a", "b", "c"]]);
  });

  it("tells commit listeners before the callers, and not about failed batches", async () => {
    const store = new ManualStore();
    const ledger = new Ledger(store);
    const seen: string[] = [];
    ledger.onCommit((rows) => seen.push(`commit:${rows.map((r) => r.requestId).join(",")}`));
    ledger.onCommit(() => {
      throw new Error("a broken listener");
    });
    void ledger.record([row("a")]).then(() => seen.push("resolved:a"));
    await tick();
    store.release();
    await tick();
    void ledger.record([row("b")]).catch(() => seen.push("rejected:b"));
    await tick();
    store.fail();
    await tick();
    expect(seen).toEqual(["commit:a", "resolved:a", "rejected:b"]);
  });

  it("flushes what waits on close and refuses records afterwards", async () => {
    const store = new ManualStore();
    const ledger = new Ledger(store);
    const a = track(ledger.record([row("a")]));
    const closing = ledger.close();
    await tick();
    expect(store.closed).toBe(false);
    store.release();
    await closing;
    expect(a.state).toBe("resolved");
    expect(store.closed).toBe(true);
    await expect(ledger.record([row("late")])).rejects.toThrow("closed");
  });
});

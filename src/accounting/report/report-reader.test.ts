/**
 * Reports in a worker process: the same answers as an in-thread read of the same file (rolled-up rows and the raw
 * tail), rows committed by the writer visible to the next report, and a clean rejection when the worker cannot
 * start. The worker is the compiled script in dist/ (the test global setup builds it).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ReportReader } from "./report-reader.js";
import { SqliteLedgerStore } from "../ledger/sqlite-ledger.js";
import { ROWS_T0 as T0, ledgerRow as row, rowsQuery as query } from "../../../test/helpers/ledger-row.js";

const WORKER = new URL("../../../dist/src/accounting/report/report-worker.js", import.meta.url);

describe("ReportReader", () => {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "report-reader-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("answers what an in-thread read answers, over rollups and the raw tail, and sees the writer's new commits", async () => {
    const path = join(dir, "ledger.db");
    const store = SqliteLedgerStore.open({ path, now: () => T0, rollupEvery: 0 });
    await store.append(Array.from({ length: 300 }, (_, i) => row(i)));
    await store.rollUp();
    await store.append(Array.from({ length: 50 }, (_, i) => row(300 + i)));
    const reader = new ReportReader(path, WORKER);
    try {
      for (const q of [query(), query({ groupBy: ["hour"], clientKeys: ["a"] }), query({ groupBy: ["tag"], tagKey: "team", tags: { team: "x" } }), query({ groupBy: [] })]) {
        expect(await reader.aggregate(q)).toEqual(await store.aggregate(q));
      }
      const before = await reader.aggregate(query({ groupBy: [] }));
      await store.append([row(400)]);
      const after = await reader.aggregate(query({ groupBy: [] }));
      expect(after[0]?.requests).toBe((before[0]?.requests ?? 0n) + 1n);
    } finally {
      await reader.close();
      await store.close();
    }
  });

  it("rejects the query, without crashing, when the file is missing or the worker cannot start", async () => {
    const missing = new ReportReader(join(dir, "none.db"), WORKER);
    await expect(missing.aggregate(query())).rejects.toThrow(/cannot open the ledger for reports/);
    await missing.close();
    const broken = new ReportReader(join(dir, "none.db"), new URL("../no-such-worker.js", import.meta.url));
    await expect(broken.aggregate(query())).rejects.toThrow();
    await broken.close();
  });

  it("stops its worker when idle and starts it again for the next report", async () => {
    const path = join(dir, "ledger.db");
    const store = SqliteLedgerStore.open({ path, now: () => T0 });
    await store.append([row(1), row(2)]);
    const reader = new ReportReader(path, WORKER, 50);
    try {
      const first = await reader.aggregate(query());
      expect(reader.running).toBe(true);
      for (let i = 0; i < 100 && reader.running; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(reader.running).toBe(false);
      expect(await reader.aggregate(query())).toEqual(first);
    } finally {
      await reader.close();
      await store.close();
    }
  });

  it("rejects what is still running when closed", async () => {
    const path = join(dir, "ledger.db");
    const store = SqliteLedgerStore.open({ path, now: () => T0 });
    await store.append([row(1)]);
    const reader = new ReportReader(path, WORKER);
    const running = reader.aggregate(query());
    await reader.close();
    await expect(running).rejects.toThrow(/closed|stopped/);
    await store.close();
  });
});

/** Row uids: made when the row is made, unique, and in time order for the ledger's uid index. */
import { describe, expect, it } from "vitest";
import { newRowUid, recordProblem, refusalRecord } from "./ledger-record.js";
import { requestRows } from "./ledger-rows.js";

const T0 = Date.UTC(2026, 10, 10);

describe("row uids", () => {
  it("are 32 hex digits, the row's time first, and do not repeat", () => {
    const uids = Array.from({ length: 5_000 }, (_, i) => newRowUid(T0 + Math.floor(i / 10)));
    for (const uid of uids) expect(uid).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(uids).size).toBe(uids.length);
    expect(uids[0]?.slice(0, 12)).toBe(T0.toString(16).padStart(12, "0"));
    const prefixes = uids.map((u) => u.slice(0, 12));
    expect([...prefixes].sort()).toEqual(prefixes);
    for (const odd of [-1, Number.NaN, 2 ** 60]) expect(newRowUid(odd)).toMatch(/^[0-9a-f]{32}$/);
  });

  it("are given to every row when it is made, one per row", () => {
    const refusal = refusalRecord({ timeMs: T0, requestId: "r", clientKey: undefined, tags: {}, route: undefined, target: "m", reason: "x", streamed: false });
    expect(refusal.uid).toMatch(/^[0-9a-f]{32}$/);
    const attempt = {
      number: 1, model: "m", provider: "p", outcome: "failed" as const, errorKind: "network", startedAt: T0, latencyMs: 1, ttftMs: undefined,
      hedge: false, failover: false, retry: false, usage: {}, costPicos: 0n, usageUnknown: true, usageBasis: "reported" as const,
    };
    const rows = requestRows(
      { requestId: "q", clientKey: undefined, tags: {}, route: undefined, target: "m", streamed: false, startedAt: T0, outcome: "failed", latencyMs: 2, ttftMs: undefined },
      [attempt, { ...attempt, number: 2, retry: true }],
    );
    expect(new Set(rows.map((r) => r.uid)).size).toBe(2);
    expect(recordProblem({ ...refusal, uid: "" })).toMatch(/uid/);
    expect(recordProblem({ ...refusal, uid: refusal.uid.toUpperCase() })).toMatch(/uid/);
    expect(recordProblem({ ...refusal, uid: `${refusal.uid}0` })).toMatch(/uid/);
  });
});

/** A request that runs out of its deadline is accounted as a deadline (failed, timeout), not as a client cancel. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import { openSqlite } from "../../src/accounting/ledger/sqlite-driver.js";
import { rejection } from "../helpers/expect-error.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

let dir: string;
let h: Harness;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gw-deadline-"));
  h = await startHarness({
    endpoints: { slow: { kind: "openai", profile: { latencyMs: 10_000 } } },
    config: { models: { m: { provider: "slow", pricing: { inputPerMTok: 1, outputPerMTok: 1 } } }, ledger: { path: join(dir, "l.db") } },
  });
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("deadline accounting", () => {
  it("records the attempt as failed with a timeout and the request as failed", async () => {
    const err = await rejection(h.grpc.complete({ model: "m", messages: [{ role: Role.USER, content: "hi" }], requestId: "dl-1" }, { timeoutMs: 1000 }));
    expect(err.code).toBe(Code.DeadlineExceeded);
    await new Promise((r) => setTimeout(r, 200));
    const db = openSqlite(join(dir, "l.db"));
    const rows = db.prepare("SELECT outcome, error_kind, request_outcome FROM ledger WHERE request_id = 'dl-1'").all();
    db.close();
    expect(rows).toEqual([{ outcome: "failed", error_kind: "timeout", request_outcome: "failed" }]);
  });
});

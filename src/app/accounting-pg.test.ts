/** openAccounting with `ledger.url`: rows go to PostgreSQL (not the SQLite file), and its password is never shown. */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres } from "../../test/helpers/postgres-server.js";
import type { PostgresServer } from "../../test/helpers/postgres-server.js";
import { refusalRecord } from "../accounting/ledger/ledger-record.js";
import { PgLedgerStore } from "../accounting/ledger/pg/pg-ledger.js";
import { validateConfig } from "../config/validate.js";
import { createLogger } from "../telemetry/log.js";
import { openAccounting } from "./accounting.js";
import { hasSharedServices } from "../../test/helpers/tools.js";

let server: PostgresServer;
let dir: string;
beforeAll(async () => {
  server = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), "accounting-pg-"));
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const clock = { now: () => Date.now(), monotonic: () => performance.now() };

function config(url: string): ReturnType<typeof validateConfig> {
  return validateConfig({
    providers: { p: { kind: "openai", baseUrl: "http://127.0.0.1:9", apiKey: "sk-x" } },
    models: { m: { provider: "p", pricing: { inputPerMTok: 1, outputPerMTok: 2 } } },
    auth: { enabled: false },
    ledger: { url, path: join(dir, "ledger.db"), timeoutMs: 1_000 },
  });
}

describe.skipIf(!hasSharedServices())("openAccounting with ledger.url", () => {
  it("records into PostgreSQL, where another replica's store reads the rows", async () => {
    const url = await server.database("accounting");
    const lines: string[] = [];
    const accounting = await openAccounting(config(url), clock, createLogger("debug", (l) => lines.push(l)));
    const row = refusalRecord({ timeMs: Date.now(), requestId: "r1", clientKey: "k", tags: {}, route: undefined, target: "m", reason: "budget_exceeded", streamed: false });
    await accounting.ledger.record([row]);
    await accounting.close();
    expect(existsSync(join(dir, "ledger.db"))).toBe(false);

    const other = await PgLedgerStore.open({ url, now: () => Date.now(), rollupIntervalMs: 0 });
    const [all] = await other.aggregate({ startMs: 0, endMs: Date.now() + 1_000, models: [], providers: [], clientKeys: ["k"], tags: {}, groupBy: [], tagKey: undefined, latency: false });
    await other.close();
    expect(all?.requests).toBe(1n);
    expect(lines.join("")).not.toContain(server.password);
  });

  it("refuses to start when PostgreSQL cannot be reached, without showing the password", async () => {
    const url = (await server.database("unreachable")).replace(`:${server.port}/`, ":1/");
    const err: unknown = await openAccounting(config(url), clock, createLogger("debug", () => undefined)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String(err)).toMatch(/ledger PostgreSQL migration/);
    expect(`${String(err)} ${JSON.stringify(err)}`).not.toContain(server.password);
  });

  it("refuses to start when the spill journal's directory cannot be written", async () => {
    const url = await server.database("nospill");
    const c = { ...config(url), ledger: { ...config(url).ledger, spillPath: join(dir, "missing-dir", "ledger.spill") } };
    await expect(openAccounting(c, clock, createLogger("debug", () => undefined))).rejects.toThrow(/ledger\.spillPath: the directory .*missing-dir is not writable/);
  });
});

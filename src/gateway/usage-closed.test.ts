/** Acknowledged means stored: a request whose rows neither the ledger nor its spill can hold fails closed, unary and streamed. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Ledger } from "../accounting/ledger/ledger.js";
import type { LedgerRecord } from "../accounting/ledger/ledger-record.js";
import type { AggregateQuery, GroupAggregate, LedgerStore } from "../accounting/ledger/ledger-store.js";
import { SpillJournal } from "../accounting/ledger/spill.js";
import type { Logger } from "../telemetry/log.js";
import { Gateway } from "./gateway.js";
import { GatewayError } from "./types.js";
import { UNRECORDED, ledgerRecorder } from "./usage.js";
import { FakeAdapter } from "../../test/helpers/fake-adapter.js";
import { configFor, context, cycle, fakeClock, request } from "../../test/helpers/gateway-fixture.js";

/** A store on a full disk. */
class FullStore implements LedgerStore {
  async append(_rows: readonly LedgerRecord[]): Promise<void> {
    throw new Error("SQLITE_FULL: database or disk is full");
  }
  async aggregate(_q: AggregateQuery): Promise<readonly GroupAggregate[]> {
    return [];
  }
  async prune(): Promise<number> {
    return 0;
  }
  async close(): Promise<void> {}
}

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "usage-closed-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A gateway whose model m answers, over a ledger on a full disk with a spill at `spillPath` (none: undefined). */
function over(spillPath: string | undefined): { gateway: Gateway; ledger: Ledger; logged: string[] } {
  const config = configFor({ m: {} });
  const ledger = new Ledger(new FullStore(), { spill: spillPath === undefined ? undefined : new SpillJournal(spillPath), probeMs: 60_000 });
  const logged: string[] = [];
  const log: Logger = { log: (_level, msg) => void logged.push(msg) };
  const adapters = new Map([["p-m", new FakeAdapter("p-m", { ok: "hello there" })]]);
  const gateway = new Gateway({ config, adapters, clock: fakeClock, random: cycle(0.5), usage: ledgerRecorder(ledger, log) });
  return { gateway, ledger, logged };
}

async function failure(p: Promise<unknown>): Promise<GatewayError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(err)}`);
  return err;
}

describe("usage recorder", () => {
  it("fails a unary request with UNAVAILABLE when neither the ledger nor a spill holds its rows, attempts attached, logged by state not per request", async () => {
    const { gateway, ledger, logged } = over(join(dir, "missing", "spill"));
    const err = await failure(gateway.complete(request("m"), context()));
    expect([err.code, err.message, err.attempts.length]).toEqual(["unavailable", UNRECORDED, 1]);
    expect(ledger.state).toBe("down");
    expect(logged).toEqual([]);
    await ledger.close();
  });

  it("ends a stream with UNAVAILABLE instead of its summary when its rows cannot be held", async () => {
    const { gateway, ledger } = over(undefined);
    const seen: string[] = [];
    const err = await failure(
      (async () => {
        for await (const ev of gateway.stream(request("m"), context())) seen.push(ev.type);
      })(),
    );
    expect(err.code).toBe("unavailable");
    expect(seen).toEqual(["delta", "delta"]); // the text went out, the final message did not
    await ledger.close();
  });

  it("answers once the rows are spilled while the ledger cannot write", async () => {
    const path = join(dir, "spill");
    const { gateway, ledger } = over(path);
    const outcome = await gateway.complete(request("m", "hi", { requestId: "spilled-1" }), context());
    expect(outcome.text).toBe("hello there");
    expect(ledger.state).toBe("spilling");
    expect(readFileSync(path, "utf8")).toContain('"requestId":"spilled-1"');
    await ledger.close();
  });
});

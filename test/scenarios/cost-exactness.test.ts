/**
 * Cost truth under mixed load: unary, streams, failovers, hedges, client cancels and cached tokens.
 * The simulated providers count what they delivered; the ledger and the cost report must match them
 * token for token and pico-dollar for pico-dollar, and hold one row for every call a provider saw.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqlite } from "../../src/accounting/ledger/sqlite-driver.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Dimension } from "../../gen/llmgateway/v1/cost_pb.js";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

const ENDPOINTS = ["oa", "an", "ge", "slow", "cx"] as const;
const PRICES = { inputPerMTok: 3, cachedInputPerMTok: 0.3, outputPerMTok: 15 };
const PICO = { input: 3_000_000n, cached: 300_000n, output: 15_000_000n };
const MODEL_OF: Record<(typeof ENDPOINTS)[number], string> = { oa: "m-oa", an: "m-an", ge: "m-ge", slow: "m-slow", cx: "m-cx" };
/** Endpoints whose every delivered answer was read to its end: the ones whose tallies must match exactly. */
const EXACT = ["oa", "an", "ge", "slow"] as const;
let dir: string;
let h: Harness;
const answered = new Set<string>();
let sent = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gw-exact-"));
  h = await startHarness({
    endpoints: {
      oa: { kind: "openai", profile: { errorRate: 0.25, cachedTokens: 3, seed: 1 } },
      an: { kind: "anthropic", profile: { errorRate: 0.25, error: "overloaded", cachedTokens: 2, seed: 2 } },
      ge: { kind: "gemini", profile: { errorRate: 0.25, error: "rate_limited", retryAfterS: 0, cachedTokens: 1, seed: 3 } },
      // Always loses its hedge race: aborted long before it could answer, so it never bills an answer.
      slow: { kind: "openai", profile: { latencyMs: 20_000, seed: 4 } },
      // Streams that clients abandon after the first token: what the provider wrote after that is unknowable.
      cx: { kind: "anthropic", profile: { chunkDelayMs: 40, cachedTokens: 1, seed: 5 } },
    },
    config: {
      models: Object.fromEntries(ENDPOINTS.map((e) => [MODEL_OF[e], { provider: e, pricing: PRICES }])),
      routes: {
        mix: { strategy: "weighted", models: ["m-oa", "m-an", "m-ge"] },
        hedged: { strategy: "ordered", models: ["m-slow", "m-oa"], hedge: { delayMs: 20 } },
        abandoned: { strategy: "ordered", models: ["m-cx"] },
      },
      failover: { maxAttempts: 10, backoffBaseMs: 1, backoffMaxMs: 5, rateLimitCooldownMs: 5 },
      breaker: { consecutiveFailures: 1000, errorRate: 1, minRequests: 100000 },
      ledger: { path: join(dir, "ledger.db") },
    },
  });
  const prompt = (i: number): string => `request ${i}: ${"word ".repeat(i % 17)}`;
  const one = async (i: number): Promise<void> => {
    sent++;
    const maxTokens = i % 10 === 8 ? 12 : 3 + (i % 12);
    const request = { model: i % 10 === 9 ? "hedged" : i % 10 === 8 ? "abandoned" : "mix", messages: [{ role: Role.USER, content: prompt(i) }], maxTokens, requestId: `r${i}` };
    const kind = i % 10;
    if (kind < 5 || kind === 9) {
      const res = await h.grpc.complete(request);
      answered.add(res.requestId);
    } else if (kind < 8) {
      for await (const m of h.grpc.streamComplete({ request })) if (m.event.case === "summary") answered.add(m.event.value.requestId);
    } else {
      // A client that goes away after the first token: the request is cancelled, its attempt aborted.
      const abort = new AbortController();
      try {
        for await (const m of h.grpc.streamComplete({ request }, { signal: abort.signal })) if (m.event.case === "delta") abort.abort();
      } catch {
        // cancelled, as intended
      }
    }
  };
  const total = 1500;
  let next = 0;
  await Promise.all(
    Array.from({ length: 24 }, async () => {
      while (next < total) await one(next++);
    }),
  );
  // Cancelled streams are accounted when their generator unwinds; give the last of them a moment.
  await new Promise((r) => setTimeout(r, 200));
}, 120_000);
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Row {
  provider: string;
  model: string;
  outcome: string;
  calls: number;
  input: bigint | null;
  output: bigint | null;
  cached: bigint | null;
  cost: bigint;
}

function ledgerRows(): Row[] {
  const db = openSqlite(join(dir, "ledger.db"));
  try {
    const stmt = db.prepare(
      "SELECT provider, model, outcome, COUNT(*) AS calls, SUM(input_tokens) AS input, SUM(output_tokens) AS output, SUM(cached_input_tokens) AS cached, SUM(cost_picos) AS cost FROM ledger WHERE attempt > 0 GROUP BY provider, model, outcome",
    );
    stmt.safeIntegers(true);
    return (stmt.all() as Array<Record<string, unknown>>).map((r) => ({ ...(r as unknown as Row), calls: Number(r["calls"]) }));
  } finally {
    db.close();
  }
}

describe("cost exactness under mixed load", () => {
  it("answers every request that was not cancelled", () => {
    expect(sent).toBe(1500);
    expect(answered.size).toBe(1500 - 150);
  });

  it("holds a ledger row for every call each provider saw", () => {
    const rows = ledgerRows();
    for (const e of ENDPOINTS) {
      const calls = rows.filter((r) => r.provider === e).reduce((n, r) => n + r.calls, 0);
      const notAborted = rows.filter((r) => r.provider === e && r.outcome !== "aborted").reduce((n, r) => n + r.calls, 0);
      // An attempt aborted before its request left (a hedge decided in the same instant) is a row the provider never saw.
      expect(calls, e).toBeGreaterThanOrEqual(h.sim.tally(e).requests);
      expect(notAborted, e).toBeLessThanOrEqual(h.sim.tally(e).requests);
    }
  });

  it("matches each provider's tally of delivered answers token for token and cent for cent", () => {
    const rows = ledgerRows();
    for (const e of EXACT) {
      const t = h.sim.tally(e);
      const ok = rows.find((r) => r.provider === e && r.outcome === "succeeded");
      expect(ok?.calls ?? 0, `${e} answers`).toBe(t.succeeded);
      expect(ok?.input ?? 0n, `${e} input`).toBe(BigInt(t.inputTokens));
      expect(ok?.output ?? 0n, `${e} output`).toBe(BigInt(t.outputTokens));
      expect(ok?.cached ?? 0n, `${e} cached`).toBe(BigInt(t.cachedTokens));
      const expected = BigInt(t.inputTokens - t.cachedTokens) * PICO.input + BigInt(t.cachedTokens) * PICO.cached + BigInt(t.outputTokens) * PICO.output;
      expect(ok?.cost ?? 0n, `${e} cost`).toBe(expected);
    }
  });

  it("records every abandoned stream as a cancelled request whose attempt was aborted and billed as far as known", () => {
    const cx = ledgerRows().filter((r) => r.provider === "cx");
    expect(cx.map((r) => [r.outcome, r.calls])).toEqual([["aborted", 150]]);
    // Anthropic reports input (with cache reads) before the first token: those are known and billed.
    expect(cx[0]?.input).toBeGreaterThan(0n);
    expect(cx[0]?.cost).toBeGreaterThan(0n);
  });

  it("reports the same money and tokens as the ledger, per model and in total", async () => {
    const report = await h.grpc.getCostReport({ groupBy: [Dimension.MODEL] });
    const rows = ledgerRows();
    const pico = (m: { units: bigint; picoUnits: bigint } | undefined): bigint => (m ? m.units * 10n ** 12n + m.picoUnits : 0n);
    const sum = (f: (r: Row) => bigint, filter: (r: Row) => boolean = () => true): bigint => rows.filter(filter).reduce((s, r) => s + f(r), 0n);
    expect(pico(report.total?.cost)).toBe(sum((r) => r.cost));
    expect(report.total?.outputTokens).toBe(sum((r) => r.output ?? 0n));
    expect(report.total?.requests).toBe(1500n);
    expect(report.total?.successes).toBe(1350n);
    for (const g of report.groups) {
      const model = g.key["model"] ?? "";
      expect(pico(g.cost), model).toBe(sum((r) => r.cost, (r) => r.model === model));
      expect(g.inputTokens, model).toBe(sum((r) => r.input ?? 0n, (r) => r.model === model));
    }
    expect(report.total?.hedges).toBeGreaterThan(0n);
    expect(report.total?.failovers).toBeGreaterThan(0n);
  });
});

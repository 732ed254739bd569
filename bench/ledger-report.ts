/**
 * Ledger benchmark: fills a temporary SQLite ledger with 1,000,000 rows (30 days of mixed traffic),
 * then times group-committed record() calls and the cost report under several groupings.
 * Run: npm run build && node dist/bench/ledger-report.js [--rows=N] [--user-tags] [--db=PATH] [--no-record]
 * (with --db the database is kept and reused by the next run instead of filled again).
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { PricingConfig } from "../src/config/schema.js";
import { Ledger } from "../src/accounting/ledger/ledger.js";
import type { LedgerRecord } from "../src/accounting/ledger/ledger-record.js";
import { newRowUid } from "../src/accounting/ledger/ledger-record.js";
import type { Dimension } from "../src/accounting/ledger/ledger-store.js";
import { perMTokToPicoPerToken } from "../src/accounting/money/money.js";
import { buildCostReport } from "../src/accounting/report/report.js";
import type { CostReportQuery } from "../src/accounting/report/report.js";
import { mostExpensiveModel } from "../src/accounting/report/savings.js";
import type { Durability } from "../src/accounting/ledger/sqlite-ledger.js";
import { SqliteLedgerStore } from "../src/accounting/ledger/sqlite-ledger.js";

const END = Date.UTC(2026, 10, 30);
const DAYS = 30;

function price(input: string, cached: string, output: string): PricingConfig {
  const p = (v: string): bigint => perMTokToPicoPerToken(v) ?? 0n;
  return { inputPerToken: p(input), cachedInputPerToken: p(cached), outputPerToken: p(output), cacheWritePerToken: p(input), priceDate: undefined };
}

const MODELS = [
  { name: "gpt-4.1", provider: "openai", pricing: price("2.00", "0.50", "8.00") },
  { name: "claude-sonnet-4.5", provider: "anthropic", pricing: price("3.00", "0.30", "15.00") },
  { name: "gemini-2.5-flash", provider: "gemini", pricing: price("0.30", "0.075", "2.50") },
  { name: "deepseek-v3.2", provider: "deepseek", pricing: price("0.28", "0.028", "0.42") },
];

/** A deterministic pseudo-random source (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROUTES: Readonly<Record<string, readonly number[]>> = { cheap: [2, 3], smart: [0, 1], auto: [0, 1, 2, 3] };

/**
 * `rows` rows of traffic over 30 days, in time order. Like real traffic, a client key belongs to
 * one team and environment and mostly uses one route; with `userTags` every request also carries
 * one of 20,000 user ids as a tag (the worst case for rollups: almost every row its own group).
 */
function* traffic(rows: number, seed: number, userTags: boolean): Generator<LedgerRecord> {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const keys = Array.from({ length: 50 }, (_, i) => ({
    id: `key-${i}`,
    team: `team-${i % 10}`,
    env: i % 5 === 0 ? "staging" : "prod",
    routes: [pick(["cheap", "smart", "auto"]), pick(["cheap", "smart", "auto", undefined])],
  }));
  const step = (DAYS * 86_400_000) / rows;
  let made = 0;
  let req = 0;
  while (made < rows) {
    const time = Math.floor(END - DAYS * 86_400_000 + made * step);
    const key = pick(keys);
    const route = r() < 0.8 ? key.routes[0] : key.routes[1];
    const models = ROUTES[route ?? "auto"] ?? [0];
    const attempts = r() < 0.06 ? 2 : 1;
    const hedged = attempts === 2 && r() < 0.4;
    const streamed = r() < 0.6;
    const tags: Record<string, string> = { team: key.team, env: key.env };
    if (userTags) tags["user"] = `user-${Math.floor(r() * 20_000)}`;
    req++;
    for (let a = 1; a <= attempts && made < rows; a++, made++) {
      const m = MODELS[pick(models)] ?? MODELS[0];
      if (!m) throw new Error("no model");
      const last = a === attempts;
      const input = 100 + Math.floor(r() * 4900);
      const cached = r() < 0.3 ? Math.floor(input * r() * 0.5) : 0;
      const output = r() < 0.01 ? undefined : 50 + Math.floor(r() * 950);
      const p = m.pricing;
      const cost = BigInt(input - cached) * p.inputPerToken + BigInt(cached) * p.cachedInputPerToken + BigInt(output ?? 0) * p.outputPerToken;
      const latency = Math.floor(200 + Math.exp(r() * 9));
      const ttft = streamed ? Math.floor(80 + r() * 1500) : undefined;
      const ok = r() < 0.97;
      yield {
        uid: newRowUid(time), timeMs: time, requestId: `req-${req}`, clientKey: key.id, tags, route, model: m.name, provider: m.provider,
        inputTokens: input, outputTokens: output, cachedInputTokens: cached, cacheWriteTokens: 0, usageUnknown: output === undefined, usageBasis: "reported",
        costPicos: cost, latencyMs: latency, ttftMs: ttft, outcome: last ? (ok ? "succeeded" : "failed") : hedged ? "aborted" : "failed",
        attempt: a, failover: a > 1 && !hedged, retry: false, hedge: a > 1 && hedged, streamed, errorKind: last && ok ? undefined : "server_error",
        request: last ? { outcome: ok ? "succeeded" : "failed", latencyMs: latency + (a - 1) * 300, ttftMs: ttft } : undefined,
      };
    }
  }
}

async function fill(store: SqliteLedgerStore, rows: number, userTags: boolean): Promise<number> {
  const t0 = performance.now();
  let batch: LedgerRecord[] = [];
  for (const row of traffic(rows, 42, userTags)) {
    batch.push(row);
    if (batch.length === 10_000) {
      await store.append(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await store.append(batch);
  return performance.now() - t0;
}

/** Group-committed single-row record() calls, `inFlight` at a time. */
async function recordThroughput(durability: Durability, calls: number, inFlight: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "ledger-bench-rec-"));
  const ledger = new Ledger(SqliteLedgerStore.open({ path: join(dir, "ledger.db"), durability, now: () => END }));
  const rows = [...traffic(calls, 7, false)];
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += inFlight) {
    await Promise.all(rows.slice(i, i + inFlight).map((row) => ledger.record([row])));
  }
  const ms = performance.now() - t0;
  await ledger.close();
  rmSync(dir, { recursive: true, force: true });
  return (calls / ms) * 1000;
}

async function timeReport(ledger: Ledger, label: string, query: CostReportQuery): Promise<void> {
  const baseline = mostExpensiveModel(MODELS);
  const times: number[] = [];
  let groups = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const report = await buildCostReport(ledger, query, baseline);
    times.push(performance.now() - t0);
    groups = report.groups.length;
  }
  times.sort((a, b) => a - b);
  console.log(`  ${label.padEnd(34)} ${groups.toString().padStart(5)} groups   median ${times[1]?.toFixed(0).padStart(5)} ms   (min ${times[0]?.toFixed(0)}, max ${times[2]?.toFixed(0)})`);
}

function everything(): CostReportQuery {
  return { startMs: END - DAYS * 86_400_000, endMs: END, models: [], providers: [], clientKeys: [], tags: {}, groupBy: [], tagKey: undefined };
}

interface BenchArgs {
  readonly rows: number;
  readonly userTags: boolean;
  readonly kept: string | undefined;
  readonly records: boolean;
}

function parse(argv: readonly string[]): BenchArgs {
  const value = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  return {
    rows: Number(value("rows") ?? 1_000_000),
    userTags: argv.includes("--user-tags"),
    kept: value("db"),
    records: !argv.includes("--no-record"),
  };
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), "ledger-bench-"));
  const path = args.kept ?? join(dir, "ledger.db");
  try {
    const store = SqliteLedgerStore.open({ path, now: () => END, rollupEvery: 0 });
    const [existing] = await store.aggregate({ ...everything(), groupBy: [], latency: false });
    if ((existing?.attempts ?? 0n) === 0n) {
      const fillMs = await fill(store, args.rows, args.userTags);
      const t0 = performance.now();
      await store.rollUp();
      const rollMs = performance.now() - t0;
      console.log(
        `fill: ${args.rows.toLocaleString("en-US")} rows${args.userTags ? " (each request tagged with one of 20,000 users)" : ""} in ` +
          `${(fillMs / 1000).toFixed(1)} s (${Math.round((args.rows / fillMs) * 1000).toLocaleString("en-US")} rows/s, batches of 10,000); ` +
          `roll-up ${(rollMs / 1000).toFixed(1)} s; file ${(statSync(path).size / 1e6).toFixed(0)} MB`,
      );
    }
    const ledger = new Ledger(store);
    const all = everything();
    const by = (groupBy: Dimension[], extra: Partial<CostReportQuery> = {}): CostReportQuery => ({ ...all, groupBy, ...extra });
    const partial = { startMs: END - DAYS * 86_400_000 + 1_234_567, endMs: END - 2_345_678 };
    console.log(`report over ${args.rows.toLocaleString("en-US")} rows, 30 days (3 runs each):`);
    await timeReport(ledger, "total only", by([]));
    await timeReport(ledger, "model", by(["model"]));
    await timeReport(ledger, "model (range not hour-aligned)", by(["model"], partial));
    await timeReport(ledger, "provider", by(["provider"]));
    await timeReport(ledger, "client_key", by(["client_key"]));
    await timeReport(ledger, "route", by(["route"]));
    await timeReport(ledger, "tag:team", by(["tag"], { tagKey: "team" }));
    await timeReport(ledger, "day", by(["day"]));
    await timeReport(ledger, "hour", by(["hour"]));
    await timeReport(ledger, "model, day", by(["model", "day"]));
    await timeReport(ledger, "model, tag:team", by(["model", "tag"], { tagKey: "team" }));
    await timeReport(ledger, "client_key, model, day", by(["client_key", "model", "day"]));
    await timeReport(ledger, "last 24h by model", by(["model"], { startMs: END - 86_400_000 }));
    await timeReport(ledger, "model=gpt-4.1 by day", by(["day"], { models: ["gpt-4.1"] }));
    await timeReport(ledger, "tag team=team-3 by model", by(["model"], { tags: { team: "team-3" } }));
    await timeReport(ledger, "key-7 and env=prod by hour", by(["hour"], { clientKeys: ["key-7"], tags: { env: "prod" } }));
    await ledger.close();
    if (!args.records) return;
    for (const durability of ["process", "power"] as const) {
      for (const inFlight of [1, 100]) {
        const perSec = await recordThroughput(durability, inFlight === 1 ? 2_000 : 50_000, inFlight);
        console.log(`record() ${durability === "process" ? "synchronous=NORMAL" : "synchronous=FULL  "}, ${String(inFlight).padStart(3)} calls in flight: ${Math.round(perSec).toLocaleString("en-US")} rows/s`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

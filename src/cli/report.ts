/** `report`: the cost report as an operator's table (or JSON), from GetCostReport. */
import { create, toJsonString } from "@bufbuild/protobuf";
import type { Duration } from "@bufbuild/protobuf/wkt";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { ConnectError } from "@connectrpc/connect";
import type { CostGroup, GetCostReportRequest, GetCostReportResponse } from "../../gen/llmgateway/v1/cost_pb.js";
import { CostGroupSchema, Dimension, GetCostReportRequestSchema, GetCostReportResponseSchema } from "../../gen/llmgateway/v1/cost_pb.js";
import type { Money } from "../../gen/llmgateway/v1/types_pb.js";
import type { Args } from "./args.js";
import { flag } from "./args.js";
import { gatewayClient } from "./client.js";

const USAGE =
  "usage: report [--addr host:port] [--key KEY] [--since 24h|7d|2026-11-01] [--until TIME] [--group-by model,provider,client_key,route,operation,tag:KEY,day,hour]\n" +
  "              [--model A,B] [--provider A,B] [--client-key ID,ID] [--tag k=v,k2=v2] [--baseline MODEL] [--json]\n";

const PICOS = 1_000_000_000_000n;

const DIMENSIONS: Readonly<Record<string, Dimension>> = {
  model: Dimension.MODEL,
  provider: Dimension.PROVIDER,
  client_key: Dimension.CLIENT_KEY,
  key: Dimension.CLIENT_KEY,
  route: Dimension.ROUTE,
  day: Dimension.DAY,
  hour: Dimension.HOUR,
  operation: Dimension.OPERATION,
};

/** What `report` talks to; injected by tests. */
export interface ReportIo {
  readonly now: () => number;
  readonly call: (addr: string, req: GetCostReportRequest, key: string | undefined) => Promise<GetCostReportResponse>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const DEFAULT_IO: ReportIo = {
  now: () => Date.now(),
  call: (addr, req, key) => gatewayClient(addr, key).getCostReport(req),
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** Parses a --since/--until value: a duration back from now (30m, 24h, 7d) or a UTC date/time. */
export function parseTime(text: string, nowMs: number): number | undefined {
  const rel = /^(\d+)([mhdw])$/.exec(text.trim());
  if (rel) return nowMs - Number(rel[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[rel[2] as "m" | "h" | "d" | "w"];
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) return undefined;
  const iso = /[T ]/.test(text) && !/(Z|[+-]\d{2}:?\d{2})$/.test(text) ? `${text.trim()}Z` : text.trim();
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Parses --group-by: a comma list of dimensions, "tag:KEY" for a tag. */
export function parseGroupBy(text: string): { groupBy: Dimension[]; tagKey: string } | string {
  const groupBy: Dimension[] = [];
  let tagKey = "";
  for (const part of text.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
    if (part.startsWith("tag:") && part.length > 4) {
      if (tagKey) return "only one tag:KEY grouping is possible";
      tagKey = part.slice(4);
      groupBy.push(Dimension.TAG);
    } else {
      const d = DIMENSIONS[part];
      if (d === undefined) return `unknown grouping "${part}"`;
      groupBy.push(d);
    }
  }
  return { groupBy, tagKey };
}

/** Calls GetCostReport and prints it; returns the exit code. */
export async function report(args: Args, io: ReportIo = DEFAULT_IO): Promise<number> {
  const now = io.now();
  const since = flag(args, "since");
  const until = flag(args, "until");
  const startMs = since === undefined ? undefined : parseTime(since, now);
  const endMs = until === undefined ? undefined : parseTime(until, now);
  const grouping = parseGroupBy(flag(args, "group-by") ?? "model");
  const problem =
    args.positionals.length > 0 ? `unexpected argument "${args.positionals[0]}"`
    : since !== undefined && startMs === undefined ? `--since: cannot read "${since}"`
    : until !== undefined && endMs === undefined ? `--until: cannot read "${until}"`
    : typeof grouping === "string" ? `--group-by: ${grouping}`
    : undefined;
  if (problem !== undefined || typeof grouping === "string") {
    io.err(`error: ${problem ?? ""}\n${USAGE}`);
    return 2;
  }
  const list = (name: string): string[] => (flag(args, name) ?? "").split(",").map((v) => v.trim()).filter((v) => v !== "");
  const tags: Record<string, string> = {};
  for (const pair of list("tag")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      io.err(`error: --tag: expected key=value, got "${pair}"\n${USAGE}`);
      return 2;
    }
    tags[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const req = create(GetCostReportRequestSchema, {
    startTime: startMs === undefined ? undefined : timestampFromMs(startMs),
    endTime: endMs === undefined ? undefined : timestampFromMs(endMs),
    models: list("model"),
    providers: list("provider"),
    clientKeys: list("client-key"),
    tags,
    groupBy: grouping.groupBy,
    groupByTagKey: grouping.tagKey,
    baselineModel: flag(args, "baseline") ?? "",
  });
  try {
    const res = await io.call(flag(args, "addr") ?? "127.0.0.1:50051", req, flag(args, "key") ?? process.env["GATEWAY_KEY"]);
    io.out(args.flags.has("json") ? `${toJsonString(GetCostReportResponseSchema, res, { prettySpaces: 2 })}\n` : formatReport(res));
    return 0;
  } catch (err) {
    io.err(`error: ${ConnectError.from(err).message}\n`);
    return 1;
  }
}

/** Dollars with thousands separators, rounded half up: 2 decimals from $1, 4 from $0.0001, else 6. */
export function formatMoney(m: Money | undefined): string {
  if (!m) return "?";
  const picos = m.units * PICOS + m.picoUnits;
  const abs = picos < 0n ? -picos : picos;
  const decimals = abs >= PICOS || abs === 0n ? 2 : abs >= PICOS / 10_000n ? 4 : 6;
  const unit = 10n ** BigInt(12 - decimals);
  const rounded = (abs + unit / 2n) / unit;
  const scale = 10n ** BigInt(decimals);
  const part = (rounded % scale).toString().padStart(decimals, "0");
  return `${picos < 0n ? "-" : ""}$${formatCount(rounded / scale)}.${part}`;
}

function formatCount(n: bigint): string {
  return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function formatDuration(d: Duration | undefined): string {
  if (!d) return "-";
  const ms = Number(d.seconds) * 1000 + d.nanos / 1e6;
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(2)}s`;
}

function row(label: readonly string[], g: CostGroup): string[] {
  return [
    ...label,
    formatCount(g.requests),
    g.requests === 0n ? "-" : `${(g.successRate * 100).toFixed(1)}%`,
    formatCount(g.inputTokens),
    formatCount(g.outputTokens),
    formatCount(g.cachedInputTokens),
    formatMoney(g.cost),
    formatDuration(g.latency?.p50),
    formatDuration(g.latency?.p95),
  ];
}

/** The operator's table: one line per group, a total line, the savings line, and notes on unknown, estimated and bounded usage. */
export function formatReport(res: GetCostReportResponse): string {
  const labels = res.groups[0] ? Object.keys(res.groups[0].key) : [];
  const header = [...labels.map((l) => l.toUpperCase()), "REQUESTS", "SUCCESS", "TOKENS IN", "TOKENS OUT", "CACHED", "COST", "P50", "P95"];
  const total = res.total ?? create(CostGroupSchema);
  const lines = res.groups.map((g) => row(labels.map((l) => g.key[l] || "-"), g));
  const totalLine = row(labels.map((_, i) => (i === 0 ? "TOTAL" : "")), total);
  const table = [header, ...lines, totalLine];
  const widths = header.map((_, i) => Math.max(...table.map((r) => (r[i] ?? "").length)));
  const text = (r: readonly string[]): string =>
    r.map((c, i) => (i < labels.length ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ").trimEnd();
  const out = [text(header), ...lines.map(text)];
  if (labels.length > 0) out.push(widths.map((w) => "-".repeat(w)).join("  "));
  out.push(text(totalLine));
  const s = total.savings;
  if (s && res.baselineModel) {
    const pct = s.savedPercent >= 0 ? `${s.savedPercent.toFixed(1)}% saved` : `${(-s.savedPercent).toFixed(1)}% more`;
    out.push(`savings vs ${res.baselineModel}: ${formatMoney(s.baselineCost)} -> ${formatMoney(total.cost)} (${pct})`);
  }
  // The core flags an estimated attempt's usage unknown too; only those left without an estimate make lower bounds.
  const unestimated = total.unknownUsageAttempts - total.estimatedUsageAttempts;
  if (unestimated > 0n) {
    out.push(`note: ${formatCount(unestimated)} attempt(s) without reported usage: their tokens are unknown, so counts and cost are lower bounds`);
  }
  if (total.estimatedUsageAttempts > 0n) {
    out.push(`note: cost includes ${formatMoney(total.estimatedCost)} estimated for ${formatCount(total.estimatedUsageAttempts)} attempt(s) the provider did not report`);
  }
  if (total.boundedUsageAttempts > 0n) {
    out.push(`note: ${formatCount(total.boundedUsageAttempts)} attempt(s) reported more usage than the request could use: billed at the bound`);
  }
  return `${out.join("\n")}\n`;
}

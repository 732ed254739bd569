import { clone, create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import type { GetCostReportRequest, GetCostReportResponse } from "../../gen/llmgateway/v1/cost_pb.js";
import { CostGroupSchema, Dimension, GetCostReportResponseSchema } from "../../gen/llmgateway/v1/cost_pb.js";
import { MoneySchema } from "../../gen/llmgateway/v1/types_pb.js";
import type { Money } from "../../gen/llmgateway/v1/types_pb.js";
import { parseArgs } from "./args.js";
import { formatMoney, formatReport, parseGroupBy, parseTime, report } from "./report.js";
import type { ReportIo } from "./report.js";

const NOW = Date.UTC(2026, 10, 24, 12);

function money(picos: bigint): Money {
  const units = picos / 1_000_000_000_000n;
  return create(MoneySchema, { units, picoUnits: picos - units * 1_000_000_000_000n, decimal: "" });
}

const ms = (n: number): { seconds: bigint; nanos: number } => ({ seconds: BigInt(Math.floor(n / 1000)), nanos: (n % 1000) * 1_000_000 });

const RESPONSE: GetCostReportResponse = create(GetCostReportResponseSchema, {
  baselineModel: "claude-sonnet-4.5",
  groups: [
    { key: { model: "gpt-4.1" }, requests: 1_200_000n, successes: 1_188_000n, inputTokens: 900_000_000n, outputTokens: 120_000_000n, cachedInputTokens: 300_000_000n, cost: money(2_960_000_000_000_000n), successRate: 0.99, latency: { p50: ms(850), p95: ms(2400), p99: ms(4000) } },
    { key: { model: "deepseek-v3.2" }, requests: 800_000n, successes: 800_000n, inputTokens: 600_000_000n, outputTokens: 80_000_000n, cost: money(1_000_000_000_000_000n), successRate: 1, latency: { p50: ms(640), p95: ms(1900), p99: ms(3000) } },
  ],
  total: {
    requests: 2_000_000n, successes: 1_988_000n, inputTokens: 1_500_000_000n, outputTokens: 200_000_000n, cachedInputTokens: 300_000_000n,
    cost: money(3_960_000_000_000_000n), successRate: 0.994, latency: { p50: ms(700), p95: ms(2200) }, unknownUsageAttempts: 3n,
    savings: { baselineCost: money(12_000_000_000_000_000n), saved: money(8_040_000_000_000_000n), savedPercent: 67 },
  },
});

function io(answer: (req: GetCostReportRequest) => Promise<GetCostReportResponse>): ReportIo & { stdout: string; stderr: string; calls: GetCostReportRequest[]; addr: string } {
  const state = {
    stdout: "", stderr: "", calls: [] as GetCostReportRequest[], addr: "",
    now: () => NOW,
    call: async (addr: string, req: GetCostReportRequest) => {
      state.addr = addr;
      state.calls.push(req);
      return answer(req);
    },
    out: (t: string) => void (state.stdout += t),
    err: (t: string) => void (state.stderr += t),
  };
  return state;
}

describe("report CLI", () => {
  it("reads --since as a duration back from now or a UTC date", () => {
    expect(parseTime("24h", NOW)).toBe(NOW - 86_400_000);
    expect(parseTime("7d", NOW)).toBe(NOW - 7 * 86_400_000);
    expect(parseTime("2026-11-01", NOW)).toBe(Date.UTC(2026, 10, 1));
    expect(parseTime("2026-11-01T06:30", NOW)).toBe(Date.UTC(2026, 10, 1, 6, 30));
    expect(parseTime("yesterday", NOW)).toBeUndefined();
  });

  it("reads --group-by into dimensions and a tag key", () => {
    expect(parseGroupBy("model,provider,tag:team,day,operation")).toEqual({ groupBy: [Dimension.MODEL, Dimension.PROVIDER, Dimension.TAG, Dimension.DAY, Dimension.OPERATION], tagKey: "team" });
    expect(parseGroupBy("model,colour")).toBe('unknown grouping "colour"');
  });

  it("formats money exactly, with separators and enough decimals", () => {
    expect(formatMoney(money(12_000_000_000_000_000n))).toBe("$12,000.00");
    expect(formatMoney(money(1_234_565_000_000n))).toBe("$1.23");
    expect(formatMoney(money(4_200_000_000n))).toBe("$0.0042");
    expect(formatMoney(money(1_500_000n))).toBe("$0.000002");
    expect(formatMoney(money(0n))).toBe("$0.00");
    expect(formatMoney(money(-2_500_000_000_000n))).toBe("-$2.50");
  });

  it("prints an aligned table with a total line, the savings line and a note on unknown usage", () => {
    const lines = formatReport(RESPONSE).trimEnd().split("\n");
    expect(lines[0]).toMatch(/^MODEL\s+REQUESTS\s+SUCCESS\s+TOKENS IN\s+TOKENS OUT\s+CACHED\s+COST\s+P50\s+P95$/);
    expect(lines[1]).toMatch(/^gpt-4\.1\s+1,200,000\s+99\.0%\s+900,000,000\s+120,000,000\s+300,000,000\s+\$2,960\.00\s+850ms\s+2\.40s$/);
    expect(lines[2]).toMatch(/^deepseek-v3\.2\s+800,000\s+100\.0%/);
    expect(lines[3]).toMatch(/^-+( +-+)+$/);
    expect(lines[4]).toMatch(/^TOTAL\s+2,000,000\s+99\.4%.*\$3,960\.00\s+700ms\s+2\.20s$/);
    const widths = lines.slice(0, 5).map((l) => l.length);
    expect(new Set(widths).size).toBe(1);
    expect(lines[5]).toBe("savings vs claude-sonnet-4.5: $12,000.00 -> $3,960.00 (67.0% saved)");
    expect(lines[6]).toContain("3 attempt(s) without reported usage");
  });

  it("notes the estimated part of the cost and the bounded attempts, and nothing when there are none", () => {
    const withBasis = clone(GetCostReportResponseSchema, RESPONSE);
    // 1,204 of the 1,207 attempts without reported usage were estimated: 3 stay unknown.
    withBasis.total = { ...(withBasis.total ?? create(CostGroupSchema)), unknownUsageAttempts: 1_207n, estimatedUsageAttempts: 1_204n, estimatedCost: money(12_345_000_000_000n), boundedUsageAttempts: 2n };
    const lines = formatReport(withBasis).trimEnd().split("\n");
    expect(lines.slice(6)).toEqual([
      "note: 3 attempt(s) without reported usage: their tokens are unknown, so counts and cost are lower bounds",
      "note: cost includes $12.35 estimated for 1,204 attempt(s) the provider did not report",
      "note: 2 attempt(s) reported more usage than the request could use: billed at the bound",
    ]);
    withBasis.total.unknownUsageAttempts = 1_204n;
    expect(formatReport(withBasis)).not.toContain("without reported usage");
    expect(formatReport(RESPONSE)).not.toMatch(/estimated|billed at the bound/);
  });

  it("sends the request built from the flags and prints the table", async () => {
    const fake = io(async () => RESPONSE);
    const args = parseArgs(["--addr", "10.0.0.1:9000", "--since", "24h", "--group-by", "tag:team,day", "--model", "a,b", "--tag", "env=prod", "--baseline", "gpt-4.1"]);
    expect(await report(args, fake)).toBe(0);
    expect(fake.addr).toBe("10.0.0.1:9000");
    expect(fake.calls[0]).toMatchObject({
      startTime: timestampFromMs(NOW - 86_400_000), groupBy: [Dimension.TAG, Dimension.DAY], groupByTagKey: "team",
      models: ["a", "b"], tags: { env: "prod" }, baselineModel: "gpt-4.1",
    });
    expect(fake.calls[0]?.endTime).toBeUndefined();
    expect(fake.stdout).toContain("savings vs claude-sonnet-4.5");
  });

  it("prints JSON for machines with --json", async () => {
    const fake = io(async () => RESPONSE);
    expect(await report(parseArgs(["--json"], ["json"]), fake)).toBe(0);
    const json = JSON.parse(fake.stdout) as { groups: { key: Record<string, string>; requests: string }[] };
    expect(json.groups[0]).toMatchObject({ key: { model: "gpt-4.1" }, requests: "1200000" });
    expect(fake.calls[0]?.groupBy).toEqual([Dimension.MODEL]);
  });

  it("exits 2 on bad flags without calling, and 1 on an RPC error", async () => {
    const fake = io(async () => {
      throw new ConnectError("end_time: is before start_time", Code.InvalidArgument);
    });
    expect(await report(parseArgs(["--since", "soon"]), fake)).toBe(2);
    expect(fake.stderr).toContain("--since");
    expect(fake.calls).toHaveLength(0);
    expect(await report(parseArgs(["--since", "2026-11-01"]), fake)).toBe(1);
    expect(fake.stderr).toContain("end_time: is before start_time");
  });
});

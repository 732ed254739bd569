/**
 * A/B of builds under the same conditions: gateways built from different checkouts (their dist/ folders)
 * measured in turn, round after round, against the same mock, so that a machine whose speed drifts (shared
 * cores) biases none of them. Prints a markdown table of medians.
 * Run: npm run build && node dist/bench/compare.js --builds=before=/path/a/dist,after=dist [--rounds=3] [--seconds=10]
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createDrivers } from "./drivers.js";
import type { LoadResult } from "./loadgen.js";
import { sample, startGateway, startMock, startSink, writeConfig } from "./procs.js";
import type { Proc } from "./procs.js";
import { costed } from "./scenario.js";
import type { CostedRun } from "./scenario.js";
import { median, percentiles } from "./stats.js";

interface Round {
  readonly c1: LoadResult;
  readonly grpc: CostedRun;
  readonly connect: CostedRun;
  readonly directC64: LoadResult;
  readonly ttftP50: number;
  /** RSS of the gateway's child processes (the ledger's writer and reader) after the load, bytes. */
  readonly childRss: number;
}

function option(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3) ?? fallback;
}

async function main(): Promise<void> {
  const builds = option("builds", "")
    .split(",")
    .filter(Boolean)
    .map((b) => {
      const [name, dir] = b.split("=");
      return { name: name ?? b, main: join(resolve(dir ?? b), "src", "main.js") };
    });
  if (builds.length === 0) throw new Error("--builds=name=dist,name=dist is required");
  const rounds = Number(option("rounds", "3"));
  const seconds = Number(option("seconds", "10"));
  const tmp = mkdtempSync(join(tmpdir(), "gateway-compare-"));
  const procs: Proc[] = [];
  try {
    const mock = await startMock(1000, 12);
    procs.push(mock);
    const sink = await startSink();
    procs.push(sink);
    // A ledger per build: a newer build migrates its file to a schema an older one refuses to open.
    const configs = new Map(builds.map((b) => [b.name, writeConfig(mkdirSync(join(tmp, b.name), { recursive: true }) ?? join(tmp, b.name), mock.port)]));
    const d = createDrivers(tmp, mock.port);
    const results = new Map<string, Round[]>(builds.map((b) => [b.name, []]));
    for (let r = 0; r < rounds; r++) {
      for (const b of builds) {
        process.stderr.write(`round ${r + 1}/${rounds}: ${b.name}\n`);
        const gw = await startGateway(configs.get(b.name) ?? "", "sampled-off", sink.port, [], b.main);
        try {
          await d.grpc(gw.port, 16, 4, { seconds: 3 });
          await d.connect(gw.port, 16, 2);
          await d.ttftGrpc(gw.port, 200);
          const c1 = await d.grpc(gw.port, 1, 1, { requests: 2000 });
          const grpc = await costed(gw, mock, () => d.grpc(gw.port, 16, 4, { seconds }));
          const connect = await costed(gw, mock, () => d.connect(gw.port, 64, seconds));
          const childRss = sample(gw.pid).childRssBytes;
          const directC64 = await d.directH2load(64, { seconds: Math.max(2, Math.round(seconds / 2)) });
          const ttftP50 = percentiles((await d.ttftGrpc(gw.port, 500)).map((t) => t.ttftMs)).p50;
          results.get(b.name)?.push({ c1, grpc, connect, directC64, ttftP50, childRss });
        } finally {
          await gw.stop();
        }
      }
    }
    const row = (name: string, rs: readonly Round[]): string => {
      const m = (fn: (x: Round) => number): number => median(rs.map(fn));
      const cells = [
        m((x) => x.c1.latency.p50).toFixed(3),
        m((x) => x.c1.latency.p99).toFixed(3),
        Math.round(m((x) => x.grpc.load.reqPerS)).toLocaleString("en-US"),
        m((x) => x.grpc.load.latency.p99).toFixed(1),
        m((x) => x.grpc.cpuUsPerReq).toFixed(0),
        Math.round(m((x) => x.connect.load.reqPerS)).toLocaleString("en-US"),
        m((x) => x.connect.cpuUsPerReq).toFixed(0),
        m((x) => x.ttftP50).toFixed(3),
        (m((x) => Math.max(x.grpc.rssPeak, x.connect.rssPeak)) / 1048576).toFixed(0),
        (m((x) => x.childRss) / 1048576).toFixed(0),
        Math.round(m((x) => x.directC64.reqPerS)).toLocaleString("en-US"),
      ];
      return `| ${name} | ${cells.join(" | ")} |`;
    };
    const lines = [
      `Interleaved A/B, ${rounds} rounds, medians (gRPC c=64: 16x4, ${seconds} s; Connect c=64: 64 connections):`,
      "",
      "| build | gRPC c=1 p50 ms | gRPC c=1 p99 ms | gRPC c=64 req/s | gRPC c=64 p99 ms | gRPC CPU µs/req | Connect c=64 req/s | Connect CPU µs/req | gRPC TTFT p50 ms | RSS peak MiB | children RSS MiB | direct c=64 req/s (machine speed) |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
      ...builds.map((b) => row(b.name, results.get(b.name) ?? [])),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    for (const p of procs.reverse()) await p.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`compare failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

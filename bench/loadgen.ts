/** Runs the external load generators (h2load, wrk) and reads their results: throughput and latency percentiles. */
import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { percentiles } from "./stats.js";
import type { Percentiles } from "./stats.js";

/** What one load run measured. */
export interface LoadResult {
  /** Requests completed with a 2xx status. */
  readonly ok: number;
  /** Requests that failed (non-2xx, errors, timeouts). */
  readonly failed: number;
  readonly reqPerS: number;
  /** Latency percentiles, ms. */
  readonly latency: Percentiles;
}

/** How long / how many: a request count or a duration in seconds. */
export type Amount = { readonly requests: number } | { readonly seconds: number };

function run(cmd: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(" ")} failed: ${err.message}\n${stderr}\n${stdout}`));
      else resolve(stdout);
    });
  });
}

/** An h2load run: gRPC (HTTP/2) or, with `h1`, plain HTTP/1.1 POSTs. */
export interface H2loadSpec {
  readonly url: string;
  readonly bodyFile: string;
  readonly headers: readonly string[];
  readonly connections: number;
  readonly streamsPerConnection: number;
  readonly amount: Amount;
  readonly h1?: boolean;
  readonly tmpDir: string;
}

/** Runs h2load with a per-request log and returns throughput and latency percentiles. */
export async function h2load(spec: H2loadSpec): Promise<LoadResult> {
  const log = join(spec.tmpDir, `h2load-${process.pid}-${Date.now()}.log`);
  const args = ["-t", "1", "-c", String(spec.connections), "-m", String(spec.streamsPerConnection), "-d", spec.bodyFile, "--log-file", log];
  for (const h of spec.headers) args.push("-H", h);
  if (spec.h1) args.push("--h1");
  if ("requests" in spec.amount) args.push("-n", String(spec.amount.requests));
  else args.push("-D", String(spec.amount.seconds));
  args.push(spec.url);
  const limit = "seconds" in spec.amount ? spec.amount.seconds * 1000 + 60_000 : 300_000;
  const out = await run("h2load", args, limit);
  const lat: number[] = [];
  let ok = 0;
  let bad = 0;
  for (const line of readFileSync(log, "utf8").split("\n")) {
    const [, status, us] = line.split("\t");
    if (status === undefined || us === undefined) continue;
    const code = Number(status);
    if (code >= 200 && code < 300) {
      ok++;
      lat.push(Number(us) / 1000);
    } else bad++;
  }
  rmSync(log, { force: true });
  const done = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(out);
  const rps = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out);
  if (!done || !rps) throw new Error(`unexpected h2load output:\n${out}`);
  return { ok, failed: Math.max(bad, Number(done[5]) + Number(done[6])), reqPerS: Number(rps[1]), latency: percentiles(lat) };
}

/** A wrk run: POSTs of one body over HTTP/1.1. */
export interface WrkSpec {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly connections: number;
  readonly seconds: number;
  readonly tmpDir: string;
}

function toMs(value: string, unit: string): number {
  const v = Number(value);
  if (unit === "us") return v / 1000;
  if (unit === "s") return v * 1000;
  if (unit === "m") return v * 60_000;
  return v;
}

/** Runs wrk with a Lua POST script and --latency; returns throughput and p50/p90/p99. */
export async function wrk(spec: WrkSpec): Promise<LoadResult> {
  const script = join(spec.tmpDir, `wrk-${process.pid}-${Date.now()}.lua`);
  const lines = ['wrk.method = "POST"', `wrk.body = ${JSON.stringify(spec.body)}`];
  for (const [k, v] of Object.entries(spec.headers)) lines.push(`wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`);
  writeFileSync(script, `${lines.join("\n")}\n`);
  const out = await run("wrk", ["-t", "1", "-c", String(spec.connections), "-d", `${spec.seconds}s`, "--latency", "-s", script, spec.url], spec.seconds * 1000 + 60_000);
  rmSync(script, { force: true });
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, "m").exec(out);
    return m ? toMs(m[1] ?? "NaN", m[2] ?? "ms") : Number.NaN;
  };
  const total = /(\d+) requests in/.exec(out);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const sockErr = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  if (!total || !rps) throw new Error(`unexpected wrk output:\n${out}`);
  const failed = Number(non2xx?.[1] ?? 0) + (sockErr ? Number(sockErr[1]) + Number(sockErr[2]) + Number(sockErr[3]) + Number(sockErr[4]) : 0);
  const n = Number(total[1]);
  return { ok: n - Number(non2xx?.[1] ?? 0), failed, reqPerS: Number(rps[1]), latency: { p50: pct("50"), p90: pct("90"), p99: pct("99"), n } };
}

/**
 * Where the gateway allocates: runs the gateway in this process (SDK on, sampling off), drives gRPC load at
 * c=64 with h2load, and samples every allocation, collected or not, through the inspector's heap profiler.
 * Prints bytes per request by package and by function.
 * Run: npm run build && node dist/bench/alloc.js [--seconds=6] [--top=40]
 */
import { Session } from "node:inspector/promises";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDrivers } from "./drivers.js";
import { startMock, startSink, writeConfig } from "./procs.js";

interface SamplingNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly SamplingNode[];
}

function option(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3) ?? fallback;
}

function where(node: SamplingNode): { fn: string; pkg: string } {
  const { url, functionName, lineNumber } = node.callFrame;
  const nm = url.indexOf("node_modules/");
  const dist = url.indexOf("/dist/");
  const file = nm >= 0 ? url.slice(nm + 13) : dist >= 0 ? url.slice(dist + 6) : url || "(native)";
  const parts = file.split("/");
  const pkg = file.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0] === "src" ? file : (parts[0] ?? file);
  return { fn: `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`, pkg };
}

async function main(): Promise<void> {
  const seconds = Number(option("seconds", "6"));
  const top = Number(option("top", "40"));
  const port = Number(option("port", "18777"));
  const dir = mkdtempSync(join(tmpdir(), "gateway-alloc-"));
  const mock = await startMock(1000, 12);
  const sink = await startSink();
  for (const k of Object.keys(process.env)) if (k.startsWith("OTEL_")) delete process.env[k];
  Object.assign(process.env, { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sink.port}`, OTEL_TRACES_SAMPLER: "always_off", OTEL_LOGS_EXPORTER: "none" });
  const { serve } = await import("../src/app/serve.js");
  const { parseArgs } = await import("../src/cli/args.js");
  void serve(parseArgs(["--config", writeConfig(dir, mock.port), "--listen", `127.0.0.1:${port}`]));
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const d = createDrivers(dir, mock.port);
  await d.grpc(port, 16, 4, { seconds: 3 });
  const session = new Session();
  session.connect();
  await session.post("HeapProfiler.startSampling", { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  const load = await d.grpc(port, 16, 4, { seconds });
  const { profile } = (await session.post("HeapProfiler.stopSampling")) as unknown as { profile: { head: SamplingNode } };
  const fns = new Map<string, number>();
  const pkgs = new Map<string, number>();
  let total = 0;
  const walk = (node: SamplingNode): void => {
    const { fn, pkg } = where(node);
    total += node.selfSize;
    fns.set(fn, (fns.get(fn) ?? 0) + node.selfSize);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + node.selfSize);
    for (const c of node.children) walk(c);
  };
  walk(profile.head);
  const calls = Math.max(1, load.ok);
  const line = ([k, v]: [string, number]): string => `${((100 * v) / total).toFixed(1).padStart(5)}% ${(v / calls).toFixed(0).padStart(6)} B/call  ${k}\n`;
  process.stdout.write(`${load.ok} calls, ${(total / calls / 1024).toFixed(1)} KiB allocated per call\n\nby package:\n`);
  for (const e of [...pkgs].sort((a, b) => b[1] - a[1]).slice(0, 20)) process.stdout.write(line(e));
  process.stdout.write("\nby function:\n");
  for (const e of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(line(e));
  await mock.stop();
  await sink.stop();
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`alloc failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

/**
 * Profiles the gateway under one kind of load: starts the mock, the sink and the gateway with `--cpu-prof`,
 * drives `--load=grpc|connect|openai|peer|stream` for `--seconds`, stops the gateway and prints the hottest functions
 * (self time) and the hottest files. The .cpuprofile is kept for Chrome DevTools.
 * Run: npm run build && node dist/bench/profile.js [--load=grpc|connect|openai|peer|stream] [--seconds=10] [--tracing=sampled-off] [--top=40]
 *   [--no-prof] [--node-flags="--max-semi-space-size=8"] [--main=/other/checkout/dist/src/main.js]
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDrivers } from "./drivers.js";
import { h2load } from "./loadgen.js";
import type { LoadResult } from "./loadgen.js";
import { mockJson } from "./payloads.js";
import { peerHeaders, startPeer } from "./peer.js";
import { machineCpu, rssPeak, sample, startGateway, startMock, startSink, writeConfig } from "./procs.js";
import type { TracingMode } from "./procs.js";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function option(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3) ?? fallback;
}

function short(url: string): string {
  const i = url.indexOf("node_modules/");
  if (i >= 0) return url.slice(i + 13);
  const d = url.indexOf("/dist/");
  return d >= 0 ? url.slice(d + 6) : url || "(native)";
}

/** Self time per function and per file, in ms, from a V8 CPU profile. */
function hotspots(p: CpuProfile): { fns: Array<[string, number]>; files: Array<[string, number]>; total: number } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    total += us;
    const file = short(n.callFrame.url);
    const key = `${n.callFrame.functionName || "(anonymous)"} ${file}:${n.callFrame.lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const pkg = file.startsWith("@") ? file.split("/").slice(0, 2).join("/") : file.split("/")[0] === "src" || file.split("/")[0] === "gen" ? file : (file.split("/")[0] ?? file);
    files.set(pkg, (files.get(pkg) ?? 0) + us);
  }
  const sorted = (m: Map<string, number>): Array<[string, number]> => [...m.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v / 1000]);
  return { fns: sorted(fns), files: sorted(files), total: total / 1000 };
}

async function main(): Promise<void> {
  const load = option("load", "grpc");
  const seconds = Number(option("seconds", "10"));
  const top = Number(option("top", "40"));
  const tracing = option("tracing", "sampled-off") as TracingMode;
  const dir = mkdtempSync(join(tmpdir(), "gateway-profile-"));
  const mock = await startMock(1000, 12);
  const sink = await startSink();
  const config = writeConfig(dir, mock.port);
  const profiling = !process.argv.includes("--no-prof");
  const extra = option("node-flags", "").split(" ").filter(Boolean);
  const main = option("main", "");
  const flags = [...extra, ...(profiling ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [])];
  // --load=peer profiles the peer gateway (bench/peer.ts) under the OpenAI door's load instead of the gateway.
  const gw = load === "peer" ? await startPeer(flags) : await startGateway(config, tracing, sink.port, flags, main || undefined);
  const d = createDrivers(dir, mock.port);
  const peerLoad = (conns: number, seconds: number): Promise<LoadResult> => {
    const headers = ["content-type: application/json", ...Object.entries(peerHeaders(mock.port)).map(([k, v]) => `${k}: ${v}`)];
    const bodyFile = join(dir, "peer.json");
    writeFileSync(bodyFile, mockJson("bench", false));
    return h2load({ url: `http://127.0.0.1:${gw.port}/v1/chat/completions`, bodyFile, headers, connections: conns, streamsPerConnection: 1, amount: { seconds }, h1: true, tmpDir: dir });
  };
  try {
    if (load === "peer") await peerLoad(16, 2);
    else if (load === "openai") await d.openai(gw.port, 16, { seconds: 2 });
    else await d.grpc(gw.port, 4, 4, { seconds: 2 });
    const before = sample(gw.pid);
    const mockBefore = sample(mock.pid);
    const machineBefore = machineCpu();
    const peak = rssPeak(gw.pid);
    let calls: number;
    if (load === "connect") calls = (await d.connect(gw.port, 64, seconds)).ok;
    else if (load === "openai") calls = (await d.openai(gw.port, 64, { seconds })).ok;
    else if (load === "peer") calls = (await peerLoad(64, seconds)).ok;
    else if (load === "stream") calls = await d.streamLoad(gw.port, 64, seconds);
    else calls = (await d.grpc(gw.port, 16, 4, { seconds })).ok;
    const after = sample(gw.pid);
    const mockAfter = sample(mock.pid);
    const machineAfter = machineCpu();
    const rss = peak.stop();
    const busy = (100 * (machineAfter.busyS - machineBefore.busyS)) / (machineAfter.totalS - machineBefore.totalS);
    const perCall = (a: number, b: number): string => (((a - b) * 1e6) / calls).toFixed(0);
    process.stdout.write(
      `${load}: ${calls} calls in ${seconds} s (${Math.round(calls / seconds)}/s), CPU per call: gateway ${perCall(after.cpuS, before.cpuS)} µs (event loop ${perCall(after.mainCpuS, before.mainCpuS)}), mock ${perCall(mockAfter.cpuS, mockBefore.cpuS)} µs; machine ${busy.toFixed(0)}% busy; gateway RSS peak ${(rss / 1048576).toFixed(0)} MiB\n`,
    );
  } finally {
    await gw.stop();
    await mock.stop();
    await sink.stop();
  }
  if (!profiling) return;
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error("no profile written");
  const h = hotspots(JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile);
  process.stdout.write(`profile ${join(dir, file)}: ${h.total.toFixed(0)} ms sampled\n\nfiles/packages by self time:\n`);
  for (const [k, v] of h.files.slice(0, 25)) process.stdout.write(`${((100 * v) / h.total).toFixed(1).padStart(5)}%  ${k}\n`);
  process.stdout.write("\nfunctions by self time:\n");
  for (const [k, v] of h.fns.slice(0, top)) process.stdout.write(`${((100 * v) / h.total).toFixed(1).padStart(5)}%  ${k}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`profile failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

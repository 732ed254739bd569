/**
 * The OpenAI door side by side with a peer gateway (issue 18): the same OpenAI Chat Completions requests sent
 * to the mock directly, to the gateway's `POST /v1/chat/completions` and to the peer in front of the same mock,
 * each a separate process, in the same minutes. Throughput at c=64 (h2load over HTTP/1.1 keep-alive), latency
 * at c=1, and the time to the first streamed byte and token at c=1.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { chatOnce, sequentialStreams, timedStream } from "./openai-client.js";
import type { ChatTarget, SseTiming } from "./openai-client.js";
import { h2load } from "./loadgen.js";
import { load } from "./machine.js";
import type { Amount, LoadResult } from "./loadgen.js";
import { mockJson } from "./payloads.js";
import { installPeer, peerHeaders, peerStatus, startPeer } from "./peer.js";
import type { PeerStatus } from "./peer.js";
import { BENCH_KEY, rssPeak, sample, startGateway } from "./procs.js";
import type { Proc } from "./procs.js";
import { keepAliveAgent } from "./stream-client.js";
import { percentiles } from "./stats.js";
import type { Percentiles } from "./stats.js";

/** How much of each step (the full run and the smoke run differ only here). */
export interface CompareSettings {
  readonly repetitions: number;
  readonly warmupS: number;
  readonly c1Requests: number;
  readonly c64Seconds: number;
  /** Sequential streamed calls per target and repetition. */
  readonly streams: number;
  /** Whether to run `npm ci --prefix bench/peer` when the peer is missing. */
  readonly installPeer: boolean;
}

/** The full comparison. */
export const COMPARE_FULL: CompareSettings = { repetitions: 3, warmupS: 3, c1Requests: 3000, c64Seconds: 10, streams: 500, installPeer: true };
/** The smoke comparison: seconds, and no install (CI passes without the peer; it runs if already installed). */
export const COMPARE_SMOKE: CompareSettings = { repetitions: 1, warmupS: 1, c1Requests: 100, c64Seconds: 1, streams: 20, installPeer: false };

/** What one target measured in one repetition. */
export interface TargetResult {
  readonly c1: LoadResult;
  readonly c64: LoadResult;
  /** CPU time of the server process per call at c=64 (all its threads and children), µs; absent for direct. */
  readonly cpuUsPerReq?: number;
  /** CPU time of the server's main thread (its event loop) per call at c=64, µs; absent for direct. */
  readonly loopUsPerReq?: number;
  /** Peak RSS of the server process during c=64, bytes; absent for direct. */
  readonly rssPeak?: number;
  readonly firstByte: Percentiles;
  readonly firstToken: Percentiles;
}

/** The three targets of one repetition (the peer absent when it was skipped). */
export interface CompareRep {
  readonly direct: TargetResult;
  readonly door: TargetResult;
  readonly peer?: TargetResult;
}

/** A whole comparison, as stored in results-peer.json and in results.json's `peer`. */
export interface CompareRun {
  readonly date: string;
  readonly settings: CompareSettings;
  /** The peer's name and version, or why it was skipped. */
  readonly peer: PeerStatus;
  readonly reps: readonly CompareRep[];
  /** The machine's load average before and after (other work on the machine moves every figure). */
  readonly loadBefore?: string;
  readonly loadAfter?: string;
}

/** The gateway door's path and the client key the bench's gateway config accepts. */
const DOOR_PATH = "/v1/chat/completions";
type Name = "direct" | "door" | "peer";

interface Server {
  readonly name: Name;
  readonly target: ChatTarget;
  readonly proc?: Proc;
}

const UNARY = mockJson("bench", false);
const STREAM = mockJson("bench-ttft", true);

/** Checks one unary and one streamed call answer properly before load is put on (a failing server must not look fast). */
async function verify(s: Server): Promise<void> {
  const agent = keepAliveAgent(1);
  try {
    const unary = await chatOnce(agent, s.target, UNARY);
    const content = (JSON.parse(unary.status === 200 ? unary.text : "{}") as { choices?: Array<{ message?: { content?: string } }> }).choices?.[0]?.message?.content;
    if (unary.status !== 200 || !content) throw new Error(`${s.name}: unary call answered ${unary.status} ${unary.text.slice(0, 300)}`);
    const streamed = await timedStream(agent, s.target, STREAM);
    if (streamed.status !== 200 || streamed.firstTokenMs < 0) throw new Error(`${s.name}: streamed call answered ${streamed.status} with no content token`);
  } finally {
    agent.destroy();
  }
}

function loadRun(s: Server, conns: number, amount: Amount, tmpDir: string, bodyFile: string): Promise<LoadResult> {
  const headers = ["content-type: application/json", ...Object.entries(s.target.headers).map(([k, v]) => `${k}: ${v}`)];
  return h2load({ url: `http://127.0.0.1:${s.target.port}${s.target.path}`, bodyFile, headers, connections: conns, streamsPerConnection: 1, amount, h1: true, tmpDir });
}

async function streams(s: Server, count: number): Promise<{ firstByte: Percentiles; firstToken: Percentiles }> {
  const agent = keepAliveAgent(1);
  let t: SseTiming[];
  try {
    t = await sequentialStreams(agent, s.target, STREAM, count);
  } finally {
    agent.destroy();
  }
  const bad = t.filter((x) => x.status !== 200 || x.firstTokenMs < 0).length;
  if (bad > 0) throw new Error(`${s.name}: ${bad} of ${t.length} streamed calls failed or had no content token`);
  return { firstByte: percentiles(t.map((x) => x.firstByteMs)), firstToken: percentiles(t.map((x) => x.firstTokenMs)) };
}

/** Measures every target in turn, step by step, so that each step of the three runs in the same minute. */
async function repetition(servers: readonly Server[], s: CompareSettings, tmpDir: string, bodyFile: string, log: (m: string) => void): Promise<Partial<Record<Name, TargetResult>>> {
  for (const srv of servers) {
    if (!srv.proc) continue;
    await loadRun(srv, 16, { seconds: s.warmupS }, tmpDir, bodyFile);
    await streams(srv, Math.ceil(s.streams / 10));
  }
  const c1 = new Map<Name, LoadResult>();
  const c64 = new Map<Name, { load: LoadResult; cpu?: number; loop?: number; rss?: number }>();
  const st = new Map<Name, { firstByte: Percentiles; firstToken: Percentiles }>();
  log("door vs peer: concurrency 1");
  for (const srv of servers) c1.set(srv.name, await loadRun(srv, 1, { requests: s.c1Requests }, tmpDir, bodyFile));
  log("door vs peer: concurrency 64");
  for (const srv of servers) {
    const pid = srv.proc?.pid;
    const before = pid === undefined ? undefined : sample(pid);
    const peak = pid === undefined ? undefined : rssPeak(pid);
    const l = await loadRun(srv, 64, { seconds: s.c64Seconds }, tmpDir, bodyFile);
    const rss = peak?.stop();
    const after = pid === undefined ? undefined : sample(pid);
    const per = (s: number): number => (s * 1e6) / Math.max(1, l.ok);
    const costs = before && after ? { cpu: per(after.cpuS - before.cpuS), loop: per(after.mainCpuS - before.mainCpuS) } : {};
    c64.set(srv.name, { load: l, ...costs, ...(rss === undefined ? {} : { rss }) });
  }
  log("door vs peer: first streamed byte");
  for (const srv of servers) st.set(srv.name, await streams(srv, s.streams));
  const out: Partial<Record<Name, TargetResult>> = {};
  for (const srv of servers) {
    const c = c64.get(srv.name);
    const sr = st.get(srv.name);
    const one = c1.get(srv.name);
    if (!c || !sr || !one) continue;
    const costs = c.cpu === undefined || c.loop === undefined ? {} : { cpuUsPerReq: c.cpu, loopUsPerReq: c.loop };
    out[srv.name] = { c1: one, c64: c.load, ...costs, ...(c.rss === undefined ? {} : { rssPeak: c.rss }), ...sr };
  }
  return out;
}

/** Finds or installs the peer (installing only when the settings allow it). */
async function peerReady(s: CompareSettings, log: (m: string) => void): Promise<PeerStatus> {
  const found = peerStatus();
  if (found.ok || !s.installPeer) return found;
  return installPeer(log);
}

/**
 * Runs the comparison against the mock on `mockPort`: a fresh gateway (config at `configPath`, tracing SDK on,
 * sampling off, as the rest of the bench) and a fresh peer per repetition. The peer is skipped, with the
 * reason recorded, when it is not installed or does not answer.
 */
export async function compareDoorAndPeer(mockPort: number, sinkPort: number, configPath: string, tmpDir: string, s: CompareSettings, log: (m: string) => void): Promise<CompareRun> {
  const loadBefore = load();
  let peer = await peerReady(s, log);
  if (!peer.ok) log(`door vs peer: peer skipped: ${peer.reason}`);
  const bodyFile = join(tmpDir, "openai-unary.json");
  writeFileSync(bodyFile, UNARY);
  const direct: Server = { name: "direct", target: { port: mockPort, path: "/v1/chat/completions", headers: {} } };
  const reps: CompareRep[] = [];
  for (let i = 0; i < s.repetitions; i++) {
    log(`door vs peer: repetition ${i + 1} of ${s.repetitions}`);
    const procs: Proc[] = [];
    try {
      const gw = await startGateway(configPath, "sampled-off", sinkPort);
      procs.push(gw);
      const door: Server = { name: "door", target: { port: gw.port, path: DOOR_PATH, headers: { authorization: `Bearer ${BENCH_KEY}` } }, proc: gw };
      await verify(door);
      const servers: Server[] = [direct, door];
      if (peer.ok) {
        try {
          const p = await startPeer();
          procs.push(p);
          const ps: Server = { name: "peer", target: { port: p.port, path: "/v1/chat/completions", headers: peerHeaders(mockPort) }, proc: p };
          await verify(ps);
          servers.push(ps);
        } catch (err) {
          peer = { ok: false, reason: `did not answer: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}` };
          log(`door vs peer: peer skipped: ${peer.reason}`);
        }
      }
      const r = await repetition(servers, s, tmpDir, bodyFile, log);
      if (!r.direct || !r.door) throw new Error("door vs peer: a repetition measured nothing");
      reps.push({ direct: r.direct, door: r.door, ...(r.peer ? { peer: r.peer } : {}) });
    } finally {
      for (const p of procs.reverse()) await p.stop();
    }
  }
  return { date: new Date().toISOString(), settings: s, peer, reps, loadBefore, loadAfter: load() };
}

/** Load runs with no success or with failures (streams that fail throw during the run). */
export function compareProblems(run: CompareRun): string[] {
  const out: string[] = [];
  run.reps.forEach((r, i) => {
    for (const name of ["direct", "door", "peer"] as const) {
      const t = r[name];
      if (!t) continue;
      for (const [step, l] of [["c=1", t.c1], ["c=64", t.c64]] as const) {
        if (l.ok === 0) out.push(`door vs peer rep ${i + 1} ${name} ${step}: no successful request`);
        else if (l.failed > Math.max(2, 0.001 * l.ok)) out.push(`door vs peer rep ${i + 1} ${name} ${step}: ${l.failed} failed of ${l.ok + l.failed}`);
      }
    }
  });
  return out;
}

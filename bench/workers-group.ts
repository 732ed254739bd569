/**
 * The gateway as a group for the workers benchmark: `serve --workers N` (or one plain process for N = 1) started and
 * ready once every worker listens; the resident memory of each of its processes sampled until it stops.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startNodeProcess } from "./procs.js";
import type { Proc, TracingMode } from "./procs.js";

/** The compiled gateway entry point (dist/src/main.js). */
const MAIN = join(fileURLToPath(new URL(".", import.meta.url)), "..", "src", "main.js");

/** A started gateway group: the process the bench started (the primary, or the only process) and its workers. */
export interface Group extends Proc {
  readonly workers: number;
  /** The pids of the processes serving requests: the primary's children, or the process itself when N = 1. */
  servingPids(): number[];
}

/** Starts `serve --config --workers N` with tracing as asked; resolves once all N workers logged that they listen. */
export async function startGroup(configPath: string, workers: number, tracing: TracingMode, sinkPort: number): Promise<Group> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith("OTEL_") || k.startsWith("GATEWAY_")) delete env[k];
  if (tracing === "off") env["OTEL_SDK_DISABLED"] = "true";
  else {
    Object.assign(env, {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}`,
      OTEL_TRACES_SAMPLER: tracing === "sampled-on" ? "always_on" : "always_off",
      OTEL_LOGS_EXPORTER: "none",
    });
  }
  // Every line is seen again with each new chunk of output, so the workers seen are a set (by index).
  const ports = new Map<number, number>();
  const findPort = (line: string): number | undefined => {
    if (!line.includes('"gateway listening"')) return undefined;
    const port = /"address":"[^"]*:(\d+)"/.exec(line)?.[1];
    if (port === undefined) return undefined;
    ports.set(Number(/"worker":(\d+)/.exec(line)?.[1] ?? 0), Number(port));
    return ports.size < workers ? undefined : Number(port);
  };
  const args = [MAIN, "serve", "--config", configPath, "--listen", "127.0.0.1:0", ...(workers > 1 ? ["--workers", String(workers)] : [])];
  const proc = await startNodeProcess(args, env, findPort, 30_000);
  const distinct = new Set(ports.values());
  if (distinct.size !== 1) {
    await proc.stop();
    throw new Error(`the workers listen on different ports: ${[...distinct].join(", ")}`);
  }
  return { ...proc, workers, servingPids: () => (workers > 1 ? childPids(proc.pid) : [proc.pid]) };
}

/** The live child processes of `pid` (children of any of its threads). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
  } catch {
    return out;
  }
  for (const t of tasks) out.push(Number(t));
  return out;
}

/** All live descendants of `pid`, recursively (its own threads' children only: the ledger's processes are forked from the main thread). */
function descendants(pid: number): number[] {
  const kids = childPids(pid);
  return [...kids, ...kids.flatMap(descendants)];
}

/** VmRSS of a process in bytes, or 0 once it has ended. */
export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return Number(m?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** Where a group's CPU goes, seconds so far: serving processes' main threads, their other threads, their children. */
export interface CpuSplit {
  /** The event loops of the serving processes. */
  readonly mainThreads: number;
  /** Their other threads (libuv pool, V8's garbage collector and compiler, OpenTelemetry's exporters if threaded). */
  readonly otherThreads: number;
  /** Their child processes: the ledger's writer and reader. */
  readonly children: number;
  /** The primary's own (0 for one plain process). */
  readonly primary: number;
}

/** User + system seconds of /proc/<pid>/stat (a whole process without its children) or a thread's stat file. */
function statCpuS(path: string): number {
  try {
    const stat = readFileSync(path, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The group's CPU so far, split by where it runs (live processes only: sample before and after a run). */
export function cpuSplit(group: Group): CpuSplit {
  let main = 0;
  let all = 0;
  let children = 0;
  for (const pid of group.servingPids()) {
    main += statCpuS(`/proc/${pid}/task/${pid}/stat`);
    all += statCpuS(`/proc/${pid}/stat`);
    for (const kid of descendants(pid)) children += statCpuS(`/proc/${kid}/stat`);
  }
  return { mainThreads: main, otherThreads: all - main, children, primary: group.workers > 1 ? statCpuS(`/proc/${group.pid}/stat`) : 0 };
}

/** Peak resident memory of a group's processes, bytes. */
export interface GroupRss {
  /** The primary's own peak (undefined for one plain process: it is the worker). */
  readonly primary: number | undefined;
  /** Each worker's own peak, by order of first appearance (the main Node process, without its children). */
  readonly workers: readonly number[];
  /** Each worker's child processes (the ledger's writer and reader), their summed peak. */
  readonly workerChildren: readonly number[];
  /** Peak of the whole group's summed RSS (every process sampled at the same instant). */
  readonly total: number;
}

/** Samples every process of `group` every `everyMs` until stopped; returns the peaks. */
export function trackGroupRss(group: Group, everyMs = 200): { stop(): GroupRss } {
  const order: number[] = [];
  const own = new Map<number, number>();
  const kids = new Map<number, number>();
  let primary = 0;
  let total = 0;
  const tick = (): void => {
    let sum = 0;
    if (group.workers > 1) {
      const p = rssOf(group.pid);
      primary = Math.max(primary, p);
      sum += p;
    }
    for (const w of group.servingPids()) {
      if (!order.includes(w)) order.push(w);
      const mine = rssOf(w);
      const children = descendants(w).reduce((a, pid) => a + rssOf(pid), 0);
      own.set(w, Math.max(own.get(w) ?? 0, mine));
      kids.set(w, Math.max(kids.get(w) ?? 0, children));
      sum += mine + children;
    }
    total = Math.max(total, sum);
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    stop(): GroupRss {
      clearInterval(timer);
      tick();
      return {
        primary: group.workers > 1 ? primary : undefined,
        workers: order.map((w) => own.get(w) ?? 0),
        workerChildren: order.map((w) => kids.get(w) ?? 0),
        total,
      };
    },
  };
}

/** Stops a group and, should any of its processes outlive the primary, kills them (every child ends with the bench). */
export async function stopGroup(group: Group): Promise<void> {
  const all = [...group.servingPids(), ...group.servingPids().flatMap(descendants)].map((pid) => ({ pid, cmd: cmdline(pid) }));
  await group.stop();
  for (const { pid, cmd } of all) {
    // Only the same process (its command line unchanged), never a pid reused meanwhile.
    if (cmd === "" || cmdline(pid) !== cmd) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile, as it should be
    }
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

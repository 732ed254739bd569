/** Benchmark processes: the mock provider, the OTLP sink and the gateway, each its own process; CPU and RSS from /proc. */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { createHash } from "node:crypto";
import type { ChildProcess } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** dist/bench (where the compiled bench runs from). */
const HERE = fileURLToPath(new URL(".", import.meta.url));
/** The compiled gateway entry point. */
const MAIN = join(HERE, "..", "src", "main.js");
/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux). */
const CLK_TCK = 100;

/** A started child process with the port it listens on. */
export interface Proc {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  /** Stops the process (SIGTERM, then SIGKILL after a grace period) and waits for its exit. */
  stop(): Promise<void>;
}

/** CPU time (user + system, seconds) and resident memory (bytes) of a process now. */
export interface ProcSample {
  /**
   * CPU time of all the process's threads and of its child processes (the ledger's writer and reader), live or
   * ended, so that work moved from a thread to a child process is still counted.
   */
  readonly cpuS: number;
  /** CPU time of its main thread (the event loop; Node's own and worker threads excluded). */
  readonly mainCpuS: number;
  /** Resident memory of the process itself. */
  readonly rssBytes: number;
  /** Resident memory of its live child processes, summed (memory a worker thread would hold in rssBytes). */
  readonly childRssBytes: number;
}

/** Reads utime+stime and VmRSS of a process (and its children) from /proc. */
export function sample(pid: number): ProcSample {
  const kids = descendants(pid);
  let cpu = cpuTicks(`/proc/${pid}/stat`, true);
  let childRss = 0;
  for (const kid of kids) {
    try {
      cpu += cpuTicks(`/proc/${kid}/stat`, false);
      childRss += rssOf(kid);
    } catch {
      // ended meanwhile: its time is in the parent's once reaped
    }
  }
  return { cpuS: cpu / CLK_TCK, mainCpuS: cpuTicks(`/proc/${pid}/task/${pid}/stat`, false) / CLK_TCK, rssBytes: rssOf(pid), childRssBytes: childRss };
}

/** VmRSS of a process, bytes. */
function rssOf(pid: number): number {
  const rss = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(rss?.[1] ?? 0) * 1024;
}

/** The live descendants of a process (children of any of its threads, recursively). */
function descendants(pid: number): number[] {
  const found: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return found;
  }
  for (const task of tasks) {
    try {
      for (const kid of readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean)) found.push(Number(kid), ...descendants(Number(kid)));
    } catch {
      // the thread ended meanwhile
    }
  }
  return found;
}

/**
 * User + system clock ticks of a /proc stat file (a process's or one thread's); with `reaped`, plus those of its
 * ended children it has waited for (counted once: a live child is sampled on its own).
 */
function cpuTicks(path: string, reaped: boolean): number {
  const stat = readFileSync(path, "utf8");
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]) + (reaped ? Number(fields[13]) + Number(fields[14]) : 0);
}

/** Busy and total CPU time of the whole machine so far (seconds, all cores), from /proc/stat. */
export function machineCpu(): { busyS: number; totalS: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busyS: (total - idle) / CLK_TCK, totalS: total / CLK_TCK };
}

/** Samples a process's RSS every `everyMs` until stopped; returns the peak. */
export function rssPeak(pid: number, everyMs = 100): { stop(): number } {
  let peak = sample(pid).rssBytes;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, sample(pid).rssBytes);
    } catch {
      // the process ended; keep the peak seen
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

/** Every child still running: killed if the benchmark itself exits early (an error, Ctrl-C). */
const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});

/** Spawns `node script args` and waits (at most `timeoutMs`) for a line that yields the port. */
export function startNodeProcess(args: readonly string[], env: NodeJS.ProcessEnv, findPort: (line: string) => number | undefined, timeoutMs = 20_000): Promise<Proc> {
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  child.once("exit", () => children.delete(child));
  let log = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`timed out starting ${args.join(" ")}\n${log.slice(-2000)}`)), timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(err);
    };
    const onLine = (chunk: Buffer): void => {
      log += chunk.toString("utf8");
      if (log.length > 100_000) log = log.slice(-50_000);
      for (const line of log.split("\n")) {
        const port = findPort(line);
        if (port === undefined) continue;
        clearTimeout(timer);
        child.stdout?.off("data", onLine);
        child.stderr?.off("data", onLine);
        // Keep draining the pipes so a chatty child never blocks on a full pipe.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({ child, pid: child.pid ?? -1, port, stop: () => stopChild(child) });
        return;
      }
    };
    child.stdout?.on("data", onLine);
    child.stderr?.on("data", onLine);
    child.once("exit", (code) => fail(new Error(`${args.join(" ")} exited with ${String(code)}\n${log.slice(-2000)}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

function readyPort(line: string): number | undefined {
  const m = /"ready":true,"port":(\d+)/.exec(line);
  return m ? Number(m[1]) : undefined;
}

/** Starts the mock provider process. */
export function startMock(holdMs: number, holdChunks: number): Promise<Proc> {
  return startNodeProcess([join(HERE, "mock-provider.js"), `--hold-ms=${holdMs}`, `--hold-chunks=${holdChunks}`], process.env, readyPort);
}

/** Which transport-only server: connect-node, the fast paths, or the fast paths plus one provider call (the floor). */
export type TransportMode = "connectNode" | "fastPath" | "floor";

/** Starts the transport-only server (a trivial GatewayService); the floor calls the mock on `mockPort`. */
export function startTransport(mode: TransportMode, mockPort: number): Promise<Proc> {
  const args = mode === "connectNode" ? ["--connect"] : mode === "floor" ? [`--upstream=${mockPort}`] : [];
  return startNodeProcess([join(HERE, "transport-server.js"), ...args], process.env, readyPort);
}

/** Starts the discarding OTLP sink process. */
export function startSink(): Promise<Proc> {
  return startNodeProcess([join(HERE, "otlp-sink.js")], process.env, readyPort);
}

/** The client key the benchmark authenticates with (auth stays on, as in production). */
export const BENCH_KEY = "bench-client-key-not-a-secret";

/** How the gateway's tracing is set up for a run. */
export type TracingMode = "off" | "sampled-off" | "sampled-on";

/** Writes the gateway config for the mock and returns its path. */
export function writeConfig(dir: string, mockPort: number): string {
  const base = `http://127.0.0.1:${mockPort}/v1`;
  const pricing = { inputPerMTok: 1, outputPerMTok: 2 };
  const config = {
    listen: "127.0.0.1:0",
    providers: {
      mock: { kind: "openai", baseUrl: base, apiKey: "bench-key", maxConnections: 128 },
      mockhold: { kind: "openai", baseUrl: base, apiKey: "bench-key", maxConnections: 1100 },
    },
    models: { bench: { provider: "mock", pricing }, "bench-ttft": { provider: "mock", pricing }, "bench-hold": { provider: "mockhold", pricing } },
    ledger: { path: join(dir, "bench-ledger.db") },
    auth: { keys: { bench: { sha256: createHash("sha256").update(BENCH_KEY).digest("hex") } } },
  };
  const path = join(dir, "gateway.yaml");
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

/**
 * Starts the gateway process (`serve --config`) with tracing as asked; extra node flags (e.g. --cpu-prof)
 * first; `main` is another build's dist/src/main.js (bench/compare.ts), this build's by default.
 */
export function startGateway(configPath: string, tracing: TracingMode, sinkPort: number, nodeFlags: readonly string[] = [], main = MAIN): Promise<Proc> {
  const env: NodeJS.ProcessEnv = { ...process.env, OTEL_SDK_DISABLED: "true" };
  for (const k of Object.keys(env)) if (k.startsWith("OTEL_")) delete env[k];
  if (tracing !== "off") {
    Object.assign(env, {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sinkPort}`,
      OTEL_TRACES_SAMPLER: tracing === "sampled-on" ? "always_on" : "always_off",
      OTEL_LOGS_EXPORTER: "none",
    });
  } else {
    env["OTEL_SDK_DISABLED"] = "true";
  }
  const findPort = (line: string): number | undefined => {
    if (!line.includes('"gateway listening"')) return undefined;
    const m = /"address":"[^"]*:(\d+)"/.exec(line);
    return m ? Number(m[1]) : undefined;
  };
  return startNodeProcess([...nodeFlags, main, "serve", "--config", configPath, "--listen", "127.0.0.1:0"], env, findPort);
}

/** GETs /stats of the mock or the sink. */
export async function stats<T>(port: number): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}/stats`);
  return (await res.json()) as T;
}

/** A port free on 127.0.0.1 now (for a process that takes a fixed port and prints no address). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

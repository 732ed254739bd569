/** A redis-server for the workers benchmark: on a free loopback port, nothing persisted, its commands counted. */
import { spawn } from "node:child_process";
import { createConnection } from "node:net";
import { freePort } from "./procs.js";

/** A running redis-server started by the bench. */
export interface BenchRedis {
  readonly pid: number;
  readonly port: number;
  /** redis://127.0.0.1:PORT/0 */
  readonly url: string;
  readonly version: string;
  /** Calls of each command so far (INFO commandstats), the commands that scripts ran inside Redis included. */
  commands(): Promise<Record<string, number>>;
  /** Stops it (SIGTERM, SIGKILL after 5 s) and waits for its exit. */
  stop(): Promise<void>;
}

/** The redis-server binary (REDIS_SERVER, or Debian's). */
export const REDIS_BINARY = process.env["REDIS_SERVER"] ?? "/usr/bin/redis-server";

/** Starts `redis-server --port P --bind 127.0.0.1 --save '' --appendonly no`; resolves once it answers PING. */
export async function startBenchRedis(dir: string): Promise<BenchRedis> {
  const port = await freePort();
  const child = spawn(REDIS_BINARY, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no", "--loglevel", "warning"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const kill = (): void => void child.kill("SIGKILL");
  process.once("exit", kill);
  let output = "";
  const keep = (b: Buffer): void => void (output = (output + b.toString("utf8")).slice(-4000));
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    process.removeListener("exit", kill);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.kill("SIGTERM");
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited at start:\n${output}`);
    try {
      if ((await ask(port, "PING")).startsWith("+PONG")) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not answer within 10 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const info = await ask(port, "INFO server");
  return {
    pid: child.pid ?? -1,
    port,
    url: `redis://127.0.0.1:${port}/0`,
    version: /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? "?",
    commands: async () => {
      const out: Record<string, number> = {};
      for (const m of (await ask(port, "INFO commandstats")).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1] ?? "?"] = Number(m[2]);
      return out;
    },
    stop,
  };
}

/** Sends one inline command and returns the whole reply (read until the connection is quiet for a moment). */
function ask(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let got = "";
    let quiet: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => finish(new Error(`redis ${command}: no answer in 2 s`)), 2_000);
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      clearTimeout(quiet);
      socket.destroy();
      if (err) reject(err);
      else resolve(got);
    };
    socket.once("error", (err) => finish(err));
    socket.once("connect", () => socket.write(`${command}\r\n`));
    socket.on("data", (b: Buffer) => {
      got += b.toString("utf8");
      // A bulk reply ($len) is complete once its length has arrived; a status reply (+...) with its line.
      const bulk = /^\$(\d+)\r\n/.exec(got);
      if (bulk ? Buffer.byteLength(got) >= bulk[0].length + Number(bulk[1]) + 2 : got.includes("\r\n")) finish();
      else {
        clearTimeout(quiet);
        quiet = setTimeout(() => finish(), 200);
      }
    });
  });
}


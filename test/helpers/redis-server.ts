/** A real redis-server on a free loopback port in a temp dir, for tests: started, stopped and started again on the same port. */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";

/** How to start the server. */
export interface RedisServerOptions {
  /** Requires this password (requirepass); the URL then carries it. */
  readonly password?: string;
}

/** A running (or stopped) redis-server. */
export interface RedisServer {
  /** redis://127.0.0.1:PORT/0, or redis://:PASSWORD@127.0.0.1:PORT/0 */
  readonly url: string;
  readonly port: number;
  /** Kills the server (SIGKILL: nothing saved, like a crash) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty: persistence is off) and waits until it answers PING. */
  start(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  /** Thaws a paused server (SIGCONT). */
  resume(): void;
  /** Stops the server and removes its temp dir. */
  close(): Promise<void>;
}

const BINARY = process.env["REDIS_SERVER"] ?? "/usr/bin/redis-server";
const READY_TIMEOUT_MS = 10_000;

/** Starts `redis-server --port P --bind 127.0.0.1 --save '' --appendonly no` on a free port; resolves once it answers. */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "gw-redis-"));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = "";
  const kill = (): void => {
    child?.kill("SIGKILL");
  };
  process.once("exit", kill);

  const start = async (): Promise<void> => {
    if (child) return;
    output = "";
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no"];
    if (options.password !== undefined) args.push("--requirepass", options.password);
    const c = spawn(BINARY, args, { stdio: ["ignore", "pipe", "pipe"] });
    child = c;
    c.stdout?.on("data", (b: Buffer) => (output = (output + b.toString("utf8")).slice(-4000)));
    c.stderr?.on("data", (b: Buffer) => (output = (output + b.toString("utf8")).slice(-4000)));
    c.once("exit", () => {
      if (child === c) child = undefined;
    });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await answersPing(port))) {
      if (child !== c) throw new Error(`redis-server exited at start:\n${output}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer within ${READY_TIMEOUT_MS} ms:\n${output}`);
      await sleep(25);
    }
  };

  const stop = async (): Promise<void> => {
    const c = child;
    if (!c) return;
    const exited = new Promise<void>((resolve) => c.once("exit", () => resolve()));
    c.kill("SIGCONT");
    c.kill("SIGKILL");
    await exited;
  };

  await start();
  return {
    url: `redis://${options.password === undefined ? "" : `:${encodeURIComponent(options.password)}@`}127.0.0.1:${port}/0`,
    port,
    stop,
    start,
    pause: () => void child?.kill("SIGSTOP"),
    resume: () => void child?.kill("SIGCONT"),
    close: async () => {
      await stop();
      process.removeListener("exit", kill);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}


/** Whether a server on `port` answers PING (PONG, or NOAUTH when it wants a password) within 500 ms. */
async function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let got = "";
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 500);
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (b: Buffer) => {
      got += b.toString("utf8");
      if (got.includes("\r\n")) done(got.startsWith("+PONG") || got.startsWith("-NOAUTH"));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

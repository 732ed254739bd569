/**
 * A real PostgreSQL server for tests: initdb in a temp dir owned by `postgres` (we run as root), pg_ctl on a free
 * loopback port with its socket in the same dir, a password user and a database of its own. fsync is off (tests).
 */
import { execFile, execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { freePort } from "./free-port.js";

/** A running test server. */
export interface PostgresServer {
  /** postgres://USER:PASSWORD@127.0.0.1:PORT/DB */
  readonly url: string;
  readonly port: number;
  /** The password in `url` (tests check it never leaks). */
  readonly password: string;
  /** Stops the server (`pg_ctl stop -m fast`: open connections are cut). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data dir. */
  start(): Promise<void>;
  /** Runs SQL as the superuser through psql on the socket; resolves with psql's output. */
  psql(sql: string): Promise<string>;
  /** Sends SIGSTOP (freeze: nothing answers, connections hang) or SIGCONT to the server and each of its processes. */
  signal(sig: "SIGSTOP" | "SIGCONT"): void;
  /** Creates a new empty database owned by the user; resolves with its URL. */
  database(name: string): Promise<string>;
  /** Stops the server and deletes its dir. */
  close(): Promise<void>;
}

const USER = "gateway";
const DB = "gateway";

/** The bin dir of the newest installed PostgreSQL (/usr/lib/postgresql/N/bin). */
export function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  const bin = versions.map((v) => join(root, v, "bin")).find((b) => existsSync(join(b, "pg_ctl")));
  if (!bin) throw new Error("no PostgreSQL found in /usr/lib/postgresql/*/bin (apt-get install postgresql)");
  return bin;
}

/** Whether a PostgreSQL server can be started here (binaries present). */
export function postgresAvailable(): boolean {
  try {
    postgresBin();
    return true;
  } catch {
    return false;
  }
}

/** Starts a fresh server and waits until it answers; always `close()` it (afterAll). */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), "pg-test-"));
  const data = join(dir, "data");
  const password = randomBytes(12).toString("hex");
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  chownIfRoot(dir, asRoot);
  const run = (tool: string, args: readonly string[], timeoutMs = 60_000): Promise<string> => {
    const cmd = asRoot ? "runuser" : join(bin, tool);
    const argv = asRoot ? ["-u", "postgres", "--", join(bin, tool), ...args] : [...args];
    return new Promise((resolve, reject) => {
      execFile(cmd, argv, { cwd: dir, timeout: timeoutMs, env: { ...process.env, PGPASSWORD: "" } }, (err, stdout, stderr) => {
        if (err) reject(new Error(`${tool} failed: ${err.message}\n${stderr}`));
        else resolve(stdout);
      });
    });
  };
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const start = async (): Promise<void> => {
    await run("pg_ctl", ["-D", data, "-l", join(dir, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
    await waitReady(run, dir, port);
  };
  const psql = (sql: string): Promise<string> => run("psql", ["-h", dir, "-p", String(port), "-U", "postgres", "-d", DB, "-v", "ON_ERROR_STOP=1", "-Atc", sql]);
  try {
    writeFileSync(join(dir, "pw"), "postgres\n");
    chownIfRoot(join(dir, "pw"), asRoot);
    await run("initdb", ["-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile", join(dir, "pw"), "-E", "UTF8", "--no-locale"]);
    await start();
    await run("psql", ["-h", dir, "-p", String(port), "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", `CREATE USER ${USER} PASSWORD '${password}'`, "-c", `CREATE DATABASE ${DB} OWNER ${USER}`]);
  } catch (err) {
    await run("pg_ctl", ["-D", data, "-m", "immediate", "stop"]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let running = true;
  const signal = (sig: "SIGSTOP" | "SIGCONT"): void => {
    const pid = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
    const children = execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" }).split("\n").map(Number).filter((n) => n > 0);
    // Children first on SIGSTOP (so the postmaster cannot start new ones unseen), the postmaster first on SIGCONT.
    for (const p of sig === "SIGSTOP" ? [...children, pid] : [pid, ...children]) process.kill(p, sig);
  };
  return {
    url: `postgres://${USER}:${password}@127.0.0.1:${port}/${DB}`,
    port,
    password,
    async stop() {
      if (!running) return;
      await run("pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "60", "stop"]);
      running = false;
    },
    async start() {
      if (running) return;
      await start();
      running = true;
    },
    psql,
    signal,
    async database(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      await run("psql", ["-h", dir, "-p", String(port), "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", `CREATE DATABASE ${name} OWNER ${USER}`]);
      return `postgres://${USER}:${password}@127.0.0.1:${port}/${name}`;
    },
    async close() {
      if (running) {
        try {
          signal("SIGCONT");
        } catch {
          // not running after all: nothing to wake
        }
      }
      if (running) await run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "60", "stop"]).catch(() => undefined);
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function chownIfRoot(path: string, asRoot: boolean): void {
  if (!asRoot) return;
  const id = (flag: string): number => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  chownSync(path, id("-u"), id("-g"));
}

async function waitReady(run: (tool: string, args: readonly string[], timeoutMs?: number) => Promise<string>, dir: string, port: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await run("pg_isready", ["-h", dir, "-p", String(port), "-t", "2"], 5_000);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}


/** Spawning the built gateway as a real process and reading its structured log. */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";

/** A gateway process and what it printed so far. */
export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly stderr: () => string;
  /** Resolves with the listening address once the process logs it. */
  readonly address: Promise<string>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

/** Starts `node dist/src/main.js serve ...args` (dist is built by the global setup). */
export function spawnGateway(args: readonly string[], env: NodeJS.ProcessEnv = {}): GatewayProcess {
  const child = spawn(process.execPath, ["dist/src/main.js", "serve", ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  const address = new Promise<string>((resolve, reject) => {
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString("utf8");
      const m = /"msg":"gateway listening","address":"([^"]+)"/.exec(err);
      if (m?.[1]) resolve(m[1]);
    });
    child.once("exit", () => reject(new Error(`gateway exited before listening:\n${err}`)));
  });
  address.catch(() => undefined);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, stderr: () => err, address, exited };
}

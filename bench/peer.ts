/**
 * The peer gateway the OpenAI door is measured against: Portkey's open-source gateway (`@portkey-ai/gateway`,
 * pinned in bench/peer/package.json and installed only for the benchmark with `npm ci --prefix bench/peer`),
 * run as its own process in front of the same mock, with the headers that point it at a custom OpenAI host.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, startNodeProcess } from "./procs.js";
import type { Proc } from "./procs.js";

/** bench/peer in the source tree (dist/bench/../../bench/peer). */
const PEER_DIR = fileURLToPath(new URL("../../bench/peer/", import.meta.url));
/** The peer's package and its Node entry point (`npx @portkey-ai/gateway` runs the same file). */
const PACKAGE = join(PEER_DIR, "node_modules", "@portkey-ai", "gateway");
const ENTRY = join(PACKAGE, "build", "start-server.js");
/** Node preload for the peer (bench/peer/preload.mjs says why). */
const PRELOAD = join(PEER_DIR, "preload.mjs");

/** What is installed: the peer's name and version, or why it is not there. */
export type PeerStatus = { readonly ok: true; readonly name: string; readonly version: string } | { readonly ok: false; readonly reason: string };

/** Says whether the pinned peer is installed in bench/peer/node_modules. */
export function peerStatus(): PeerStatus {
  if (!existsSync(ENTRY)) return { ok: false, reason: `not installed (npm ci --prefix bench/peer)` };
  const pkg = JSON.parse(readFileSync(join(PACKAGE, "package.json"), "utf8")) as { name?: string; version?: string };
  return { ok: true, name: pkg.name ?? "@portkey-ai/gateway", version: pkg.version ?? "?" };
}

/** Installs the peer from bench/peer/package-lock.json (npm ci, no install scripts); resolves with its status. */
export function installPeer(log: (m: string) => void): Promise<PeerStatus> {
  log("installing the peer: npm ci --prefix bench/peer");
  return new Promise((resolve) => {
    execFile("npm", ["ci", "--prefix", PEER_DIR, "--ignore-scripts", "--no-audit", "--no-fund"], { timeout: 180_000 }, (err, _out, stderr) => {
      if (err) resolve({ ok: false, reason: `npm ci failed: ${(stderr || err.message).trim().split("\n").slice(-3).join(" ")}` });
      else resolve(peerStatus());
    });
  });
}


/**
 * Starts the peer on a free loopback port, as its README runs it (`--headless`, NODE_ENV=production: no log
 * UI), with extra Node flags first (e.g. --cpu-prof).
 */
export async function startPeer(nodeFlags: readonly string[] = []): Promise<Proc> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production" };
  for (const k of Object.keys(env)) if (k.startsWith("OTEL_")) delete env[k];
  const ready = (line: string): number | undefined => (line.includes("Ready for connections") ? port : undefined);
  return startNodeProcess([...nodeFlags, "--import", PRELOAD, ENTRY, `--port=${port}`, "--headless"], env, ready);
}

/** The request headers that route a Chat Completions call through the peer to the mock (an OpenAI-kind host). */
export function peerHeaders(mockPort: number): Record<string, string> {
  return {
    "x-portkey-provider": "openai",
    "x-portkey-custom-host": `http://127.0.0.1:${mockPort}/v1`,
    // Forwarded to the upstream as its API key (the mock accepts any).
    authorization: "Bearer bench-key",
  };
}

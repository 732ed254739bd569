/** The machine and software the benchmark ran on, for the report. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";

/** Machine, OS and versions. */
export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly packages: Readonly<Record<string, string>>;
  readonly tools: Readonly<Record<string, string>>;
  /** The git commit measured, with "+ uncommitted changes" when the tree was dirty. */
  readonly commit?: string;
}

const PACKAGES = ["@connectrpc/connect", "@connectrpc/connect-node", "@bufbuild/protobuf", "undici", "@opentelemetry/sdk-node", "@opentelemetry/sdk-trace-base"];

function version(cmd: string, args: readonly string[], pattern: RegExp): string {
  try {
    const out = execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return pattern.exec(out)?.[0] ?? out.split("\n")[0] ?? "?";
  } catch (err) {
    // wrk prints its version with a non-zero exit status
    const out = String((err as { stdout?: unknown }).stdout ?? "");
    return pattern.exec(out)?.[0] ?? "missing";
  }
}

function commitOf(root: string): string {
  try {
    const head = execFileSync("git", ["-C", root, "rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["-C", root, "status", "--porcelain", "--untracked-files=no"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return dirty ? `${head} + uncommitted changes` : head;
  } catch {
    return "unknown";
  }
}

/** Describes this machine. */
export function describeMachine(root: string): Machine {
  const osRelease = readFileSync("/etc/os-release", "utf8");
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(osRelease)?.[1] ?? "Linux";
  const packages: Record<string, string> = {};
  for (const p of PACKAGES) {
    try {
      packages[p] = (JSON.parse(readFileSync(join(root, "node_modules", p, "package.json"), "utf8")) as { version: string }).version;
    } catch {
      packages[p] = "?";
    }
  }
  return {
    cpu: cpus()[0]?.model.trim() ?? "?",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${pretty}, kernel ${release()}`,
    node: process.version,
    packages,
    tools: { h2load: version("h2load", ["--version"], /nghttp2\/[\d.]+/), wrk: version("wrk", ["-v"], /wrk [^\s]+ /) },
    commit: commitOf(root),
  };
}

/** The 1-minute load average now, as text. */
export function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
}

/** Locating the external clients some integration tests drive (Debian's Python gRPC, protoc, curl). */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

/** True when CI demands every client be present (a missing one then fails instead of skipping). */
export const REQUIRE_ALL_CLIENTS = process.env["REQUIRE_ALL_CLIENTS"] === "1" || process.env["CI"] === "true";

/** True when Debian's python3 can import grpc (python3-grpcio) and protoc with the gRPC plugin exist. */
export function hasPythonGrpc(): boolean {
  if (!existsSync("/usr/bin/python3") || !existsSync("/usr/bin/protoc") || !existsSync("/usr/bin/grpc_python_plugin")) return false;
  try {
    execFileSync("/usr/bin/python3", ["-c", "import grpc, google.protobuf"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** True when a command is on PATH. */
export function hasCommand(name: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the real servers the shared-state tests start are installed (redis-server, PostgreSQL): their suites are
 * skipped without them, except in CI, where `.ci/run` installs them and a missing one is an error.
 */
export function hasSharedServices(): boolean {
  const redis = existsSync(process.env["REDIS_SERVER"] ?? "/usr/bin/redis-server");
  const postgres = readdirSafe("/usr/lib/postgresql").some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/pg_ctl`));
  if ((!redis || !postgres) && REQUIRE_ALL_CLIENTS) throw new Error("redis-server and postgresql-15 are required (see .ci/run)");
  return redis && postgres;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

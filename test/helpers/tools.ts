/** Locating the external clients some integration tests drive (Debian's Python gRPC, protoc, curl). */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

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

/** Builds dist/ once before the tests that spawn the gateway as a real process (SKIP_BUILD=1 skips it). */
import { execFileSync } from "node:child_process";

/** Runs the TypeScript build. */
export default function setup(): void {
  if (process.env["SKIP_BUILD"] === "1") return;
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
}

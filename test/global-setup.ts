/** Builds dist/ once before the tests that spawn the gateway as a real process. */
import { execFileSync } from "node:child_process";

/** Runs the TypeScript build. */
export default function setup(): void {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
}

/** The TypeScript example (clients/typescript, the gen/ client) compiles with the project's tsc and calls a live gateway. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describeExample } from "./example-gateway.js";

// Inside dist/ so that node finds node_modules from the compiled file; apart from the build's own output.
const OUT = "dist/clients-example";

describeExample({
  name: "TypeScript",
  available: true,
  build: async () => {
    await promisify(execFile)(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "clients/typescript", "--outDir", OUT], { timeout: 50_000 });
  },
  command: () => [process.execPath, [`${OUT}/clients/typescript/example.js`]],
});

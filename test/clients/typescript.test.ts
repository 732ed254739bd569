/** The TypeScript example (clients/typescript, the gen/ client) compiles with the project's tsc and calls a live gateway. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, it } from "vitest";
import { checkExampleOutput, runExample, startExampleGateway } from "./example-gateway.js";
import type { ExampleGateway } from "./example-gateway.js";

// Inside dist/ so that node finds node_modules from the compiled file; apart from the build's own output.
const OUT = "dist/clients-example";

describe("TypeScript client example", () => {
  let gw: ExampleGateway;
  beforeAll(async () => {
    await promisify(execFile)(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "clients/typescript", "--outDir", OUT], { timeout: 50_000 });
    gw = await startExampleGateway();
  }, 60_000);
  afterAll(async () => {
    await gw?.close();
  });

  it("makes unary, streamed and tool calls, decodes AttemptFailures and reads the cost report", async () => {
    await checkExampleOutput(gw, await runExample(process.execPath, [`${OUT}/clients/typescript/example.js`], gw.env));
  });
});

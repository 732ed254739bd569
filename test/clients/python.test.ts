/** The Python example (clients/python, stubs from buf.gen.clients.yaml) runs on Debian's grpcio against a live gateway. */
import { afterAll, beforeAll, describe, it } from "vitest";
import { hasPythonGrpc, REQUIRE_ALL_CLIENTS } from "../helpers/tools.js";
import { checkExampleOutput, runExample, startExampleGateway } from "./example-gateway.js";
import type { ExampleGateway } from "./example-gateway.js";

const available = hasPythonGrpc();
if (!available && REQUIRE_ALL_CLIENTS) throw new Error("python3-grpcio and python3-protobuf are required (see .ci/run)");

describe.skipIf(!available)("Python client example", () => {
  let gw: ExampleGateway;
  beforeAll(async () => {
    gw = await startExampleGateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("makes unary, streamed and tool calls, decodes AttemptFailures and reads the cost report", async () => {
    await checkExampleOutput(gw, await runExample("/usr/bin/python3", ["clients/python/example.py"], gw.env));
  });
});

/** The Ruby example (clients/ruby, stubs from buf.gen.clients.yaml) runs on Debian's ruby-grpc against a live gateway. */
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, it } from "vitest";
import { REQUIRE_ALL_CLIENTS } from "../helpers/tools.js";
import { checkExampleOutput, runExample, startExampleGateway } from "./example-gateway.js";
import type { ExampleGateway } from "./example-gateway.js";

function hasRubyGrpc(): boolean {
  try {
    execFileSync("/usr/bin/ruby", ["-e", "require 'grpc'; require 'google/rpc/status_pb'"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const available = hasRubyGrpc();
if (!available && REQUIRE_ALL_CLIENTS) throw new Error("ruby-grpc is required (see .ci/run)");

describe.skipIf(!available)("Ruby client example", () => {
  let gw: ExampleGateway;
  beforeAll(async () => {
    gw = await startExampleGateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("makes unary, streamed and tool calls, decodes AttemptFailures and reads the cost report", async () => {
    await checkExampleOutput(gw, await runExample("/usr/bin/ruby", ["-I", "clients/ruby/lib", "clients/ruby/example.rb"], gw.env));
  });
});

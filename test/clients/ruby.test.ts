/** The Ruby example (clients/ruby, stubs from buf.gen.clients.yaml) runs on Debian's ruby-grpc against a live gateway. */
import { execFileSync } from "node:child_process";
import { REQUIRE_ALL_CLIENTS } from "../helpers/tools.js";
import { describeExample } from "./example-gateway.js";

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

describeExample({ name: "Ruby", available, command: () => ["/usr/bin/ruby", ["-I", "clients/ruby/lib", "clients/ruby/example.rb"]] });

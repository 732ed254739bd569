/** The Python example (clients/python, stubs from buf.gen.clients.yaml) runs on Debian's grpcio against a live gateway. */
import { hasPythonGrpc, REQUIRE_ALL_CLIENTS } from "../helpers/tools.js";
import { describeExample } from "./example-gateway.js";

const available = hasPythonGrpc();
if (!available && REQUIRE_ALL_CLIENTS) throw new Error("python3-grpcio and python3-protobuf are required (see .ci/run)");

describeExample({ name: "Python", available, command: () => ["/usr/bin/python3", ["clients/python/example.py"]] });

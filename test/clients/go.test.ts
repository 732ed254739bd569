/** The Go example (clients/go, stubs from buf.gen.clients.yaml) builds with Debian's Go and grpc-go and calls a live gateway. */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { REQUIRE_ALL_CLIENTS } from "../helpers/tools.js";
import { describeExample } from "./example-gateway.js";

const available = existsSync("/usr/bin/go") && existsSync("/usr/share/gocode/src/google.golang.org/grpc");
if (!available && REQUIRE_ALL_CLIENTS) throw new Error("golang-go and golang-google-grpc-dev are required (see .ci/run)");

let dir = "";

describeExample({
  name: "Go",
  available,
  build: async () => {
    dir = mkdtempSync(join(tmpdir(), "gw-go-"));
    const root = resolve("clients/go");
    // GOPATH mode (Debian's packages are a GOPATH tree, not modules); the build cache is the user's default one.
    const env = { ...process.env, GO111MODULE: "off", GOPATH: `${root}:/usr/share/gocode`, GOFLAGS: "" };
    await promisify(execFile)("/usr/bin/go", ["build", "-o", join(dir, "example"), "./example"], { cwd: root, env, timeout: 50_000 });
  },
  command: () => [join(dir, "example"), []],
  cleanup: () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
});

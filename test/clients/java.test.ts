/** The Java example (clients/java, stubs from buf.gen.clients.yaml) compiles against Debian's grpc-java jars and calls a live gateway. */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { REQUIRE_ALL_CLIENTS } from "../helpers/tools.js";
import { describeExample } from "./example-gateway.js";

const available = existsSync("/usr/bin/javac") && existsSync("/usr/share/java/grpc-netty.jar") && existsSync("/usr/share/java/proto-google-common-protos.jar");
if (!available && REQUIRE_ALL_CLIENTS) throw new Error("openjdk-17-jdk-headless, libgrpc-java and libgoogle-common-protos-java are required (see .ci/run)");

/** Every .java file under a folder. */
function javaFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".java"))
    .map((f) => join(dir, f));
}

let classes = "";
let classpath = "";

describeExample({
  name: "Java",
  available,
  build: async () => {
    classes = mkdtempSync(join(tmpdir(), "gw-java-"));
    classpath = execFileSync("sh", ["clients/java/classpath.sh"], { encoding: "utf8" }).trim();
    // Compiled once (about 10 s on 2 cores): the generated stubs and the example together.
    const sources = [...javaFiles("clients/java/src"), ...javaFiles("clients/java/example")];
    await promisify(execFile)("/usr/bin/javac", ["-d", classes, "-cp", classpath, ...sources], { timeout: 50_000 });
  },
  command: () => ["/usr/bin/java", ["-cp", `${classes}:${classpath}`, "Example"]],
  cleanup: () => {
    if (classes) rmSync(classes, { recursive: true, force: true });
  },
});

/** The `buf breaking` gate of .ci/run: proto/ against the committed release image, on copies of proto/ with edits. */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";

const IMAGE = resolve("proto/release/llmgateway-v1.binpb");
const BUF = resolve("node_modules/.bin/buf");
let dir: string | undefined;

/** A workspace holding a copy of buf.yaml and proto/, with `edit` applied to one of its files. */
function workspace(file?: string, edit?: (text: string) => string): string {
  dir = mkdtempSync(join(tmpdir(), "gw-breaking-"));
  cpSync("buf.yaml", join(dir, "buf.yaml"));
  cpSync("proto", join(dir, "proto"), { recursive: true });
  if (file && edit) {
    const path = join(dir, "proto", file);
    const before = readFileSync(path, "utf8");
    const after = edit(before);
    expect(after, "the edit changed the file").not.toBe(before);
    writeFileSync(path, after);
  }
  return dir;
}

/** Runs the CI command in a workspace: its exit code and output. */
async function breaking(cwd: string): Promise<{ code: number; out: string }> {
  const env = { ...process.env, BUF_CACHE_DIR: resolve(".bufcache") };
  try {
    const { stdout, stderr } = await promisify(execFile)(BUF, ["breaking", "proto", "--against", IMAGE], { cwd, env, encoding: "utf8", timeout: 20_000 });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, out: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("buf breaking against the release image", () => {
  it("passes on the unchanged contract", async () => {
    expect(await breaking(workspace())).toEqual({ code: 0, out: "" });
  });

  it("passes when a field is added (a compatible change)", async () => {
    const r = await breaking(workspace("llmgateway/v1/types.proto", (t) => t.replace("  string decimal = 3;\n", "  string decimal = 3;\n  // A note.\n  string note = 4;\n")));
    expect(r).toEqual({ code: 0, out: "" });
  });

  it("fails when a field is renumbered, naming the field", async () => {
    const r = await breaking(workspace("llmgateway/v1/types.proto", (t) => t.replace("int64 pico_units = 2;", "int64 pico_units = 20;")));
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("llmgateway/v1/types.proto");
    expect(r.out).toMatch(/Previously present field "2" with name "pico_units" on message "Money" was deleted/);
  });

  it("fails when an RPC is removed", async () => {
    const r = await breaking(workspace("llmgateway/v1/gateway.proto", (t) => t.replace(/ *rpc ListModels\(.*\n/, "")));
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('Previously present RPC "ListModels" on service "GatewayService" was deleted');
  });
});

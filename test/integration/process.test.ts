/** The gateway as a real process: config errors, the embedded demo, and graceful drain on SIGTERM. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import { startSimulator } from "../../src/sim/server.js";
import type { Simulator } from "../../src/sim/server.js";
import { spawnGateway } from "../helpers/process.js";

let dir: string;
let sim: Simulator;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gw-proc-"));
  sim = await startSimulator({ slow: { kind: "openai", profile: { chunkDelayMs: 60 } } });
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const client = (address: string) => createClient(GatewayService, createGrpcTransport({ baseUrl: `http://${address}` }));

function refused(address: string): Promise<boolean> {
  const [host, port] = address.split(":");
  return new Promise((resolve) => {
    const s = connect(Number(port), host ?? "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", () => resolve(true));
  });
}

describe("gateway process", () => {
  it("exits 2 on an invalid config, naming every bad field and no secret", async () => {
    const path = writeConfig(
      "bad.yaml",
      `providers:\n  p: { kind: openai, baseUrl: "ftp://x", apiKey: "\${SECRET_KEY}" }\nmodels:\n  m: { provider: q, pricing: { inputPerMTok: 1, outputPerMTok: -1 } }\n`,
    );
    const gw = spawnGateway(["--config", path], { SECRET_KEY: "sk-very-secret-value" });
    expect(await gw.exited).toBe(2);
    expect(gw.stderr()).toContain("providers.p.baseUrl: must be an http(s) URL");
    expect(gw.stderr()).toContain("models.m.provider: names no provider (have: p)");
    expect(gw.stderr()).toContain("models.m.pricing.outputPerMTok: must be a price");
    expect(gw.stderr()).not.toContain("sk-very-secret-value");
  });

  it("starts the embedded demo without a config, says so loudly, and answers", async () => {
    const gw = spawnGateway(["--listen", "127.0.0.1:0"], { GATEWAY_CONFIG: "" });
    try {
      const address = await gw.address;
      expect(gw.stderr()).toContain("DEMO MODE");
      // The demo's keys are its own simulator's: no plain-text key warning.
      expect(gw.stderr()).not.toContain("plain-text key");
      const res = await client(address).complete({ model: "deepseek-v3.2", messages: [{ role: Role.USER, content: "hi" }] });
      expect(res.provider).toBe("deepseek");
      expect(res.cost?.picoUnits).toBeGreaterThan(0n);
    } finally {
      gw.child.kill("SIGTERM");
      expect(await gw.exited).toBe(0);
    }
  });

  it("on SIGTERM stops accepting, finishes the in-flight stream, then exits 0", async () => {
    const path = writeConfig(
      "slow.yaml",
      `listen: 127.0.0.1:0\nproviders:\n  slow: { kind: openai, baseUrl: "${sim.baseUrl("slow")}" }\nmodels:\n  m: { provider: slow, pricing: { inputPerMTok: 1, outputPerMTok: 1 } }\nserver: { shutdownGraceMs: 5000 }\nauth: { enabled: false }\n`,
    );
    const gw = spawnGateway(["--config", path]);
    const address = await gw.address;
    const stream = client(address).streamComplete({ request: { model: "m", messages: [{ role: Role.USER, content: "hi" }] } });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value?.event.case).toBe("delta");
    gw.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 100));
    expect(await refused(address)).toBe(true);
    const rest: string[] = [];
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) rest.push(r.value.event.case ?? "");
    expect(rest.filter((c) => c === "delta")).toHaveLength(11);
    expect(rest[rest.length - 1]).toBe("summary");
    expect(await gw.exited).toBe(0);
    expect(gw.stderr()).toContain('"msg":"stopped","finished":true');
  });
});

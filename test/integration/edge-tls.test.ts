/** The listener's bounds with TLS: handshake (preface) timeout, HTTP/1.1 headers timeout, HTTP/2 idle, the connection limit. */
import { mkdtempSync, rmSync } from "node:fs";
import { connect as h2connect } from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hold } from "../helpers/edge-clients.js";
import { oneModel, startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";
import { selfSigned } from "../helpers/self-signed.js";
import { hasCommand } from "../helpers/tools.js";

const T = 300;
const SLACK = 700;
const MAX = 20;
const dir = mkdtempSync(join(tmpdir(), "gw-edge-tls-"));
let h: Harness;
let ca: Buffer;

describe.skipIf(!hasCommand("openssl"))("edge limits with TLS", () => {
  beforeAll(async () => {
    const made = selfSigned(dir);
    const { cert, key } = made;
    ca = made.ca;
    const base = oneModel();
    const limits = { prefaceTimeoutMs: T, headersTimeoutMs: T, bodyTimeoutMs: T, idleConnectionMs: T, maxConnections: MAX, healthConnections: 0 };
    h = await startHarness({ ...base, config: { ...base.config, server: { tls: { certFile: cert, keyFile: key }, limits } } });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("closes connections that never start the handshake, and refuses those past the limit at once", async () => {
    const t0 = performance.now();
    const silent = await Promise.all(Array.from({ length: MAX }, () => hold(h.port, "", () => t0)));
    const t1 = performance.now();
    const extra = await Promise.all(Array.from({ length: 10 }, () => hold(h.port, "", () => t1)));
    expect(Math.max(...(await Promise.all(extra.map((e) => e.closed))))).toBeLessThan(200);
    const ms = await Promise.all(silent.map((s) => s.closed));
    expect(Math.min(...ms)).toBeGreaterThanOrEqual(T - 50);
    expect(Math.max(...ms)).toBeLessThan(T + SLACK);
    expect(h.app.server.edge.refused).toBe(10);
  });

  it("answers a half-sent HTTP/1.1 header block over TLS with 408 within the headers timeout", async () => {
    const socket = tlsConnect({ host: "127.0.0.1", port: h.port, ca, ALPNProtocols: ["http/1.1"] });
    socket.on("error", () => undefined);
    await new Promise((resolve) => socket.once("secureConnect", resolve));
    const t0 = performance.now();
    socket.write("POST /x HTTP/1.1\r\nHost: x\r\n");
    let received = "";
    socket.on("data", (c: Buffer) => (received += c.toString("latin1")));
    await new Promise((resolve) => socket.once("close", resolve));
    expect(performance.now() - t0).toBeLessThan(T + SLACK);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });

  it("closes an idle HTTP/2 connection over TLS", async () => {
    const session = h2connect(`https://127.0.0.1:${h.port}`, { ca });
    session.on("error", () => undefined);
    await new Promise((resolve) => session.once("remoteSettings", resolve));
    const t0 = performance.now();
    await new Promise((resolve) => session.once("close", resolve));
    expect(performance.now() - t0).toBeLessThan(T + SLACK);
  });
});

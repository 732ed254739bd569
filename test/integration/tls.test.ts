/** With server.tls set, the one port speaks TLS: gRPC over h2 and Connect over HTTP/1.1, chosen by ALPN. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import { oneModel, startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";
import { selfSigned } from "../helpers/self-signed.js";
import { hasCommand } from "../helpers/tools.js";

const dir = mkdtempSync(join(tmpdir(), "gw-tls-"));
let h: Harness;
let ca: Buffer;

describe.skipIf(!hasCommand("openssl"))("TLS listener", () => {
  beforeAll(async () => {
    const made = selfSigned(dir);
    const { cert, key } = made;
    ca = made.ca;
    const base = oneModel();
    h = await startHarness({ ...base, config: { ...base.config, server: { tls: { certFile: cert, keyFile: key } } } });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ask = { model: "m1", messages: [{ role: Role.USER, content: "over tls" }] };

  it("serves gRPC over HTTP/2 with TLS", async () => {
    const client = createClient(GatewayService, createGrpcTransport({ baseUrl: `https://${h.address}`, nodeOptions: { ca } }));
    expect((await client.complete(ask)).text.length).toBeGreaterThan(0);
  });

  it("serves Connect over HTTP/1.1 with TLS", async () => {
    const client = createClient(GatewayService, createConnectTransport({ baseUrl: `https://${h.address}`, httpVersion: "1.1", nodeOptions: { ca } }));
    expect((await client.complete(ask)).model).toBe("m1");
  });

  it("refuses cleartext", async () => {
    const client = createClient(GatewayService, createGrpcTransport({ baseUrl: `http://${h.address}` }));
    await expect(client.complete(ask)).rejects.toThrow();
  });
});

/** Config files for reload tests: YAML over one simulator, client keys made here, and atomic or in-place writes. */
import { createHash, randomBytes } from "node:crypto";
import { renameSync, writeFileSync } from "node:fs";
import { createClient } from "@connectrpc/connect";
import type { Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";

/** A client key and the SHA-256 the config stores. */
export interface TestKey {
  readonly key: string;
  readonly sha256: string;
}

/** A fresh random client key. */
export function testKey(): TestKey {
  const key = `gwk_${randomBytes(24).toString("base64url")}`;
  return { key, sha256: createHash("sha256").update(key).digest("hex") };
}

/** What one version of the file holds. */
export interface ReloadDoc {
  readonly baseUrl: string;
  readonly ledger: string;
  readonly listen?: string;
  /** Models by name: provider "sim", upstream model, input and output price per MTok. */
  readonly models: Readonly<Record<string, { readonly input: number; readonly output: number }>>;
  readonly keys: Readonly<Record<string, { readonly key: TestKey; readonly role?: "admin" | "user" }>>;
  /** Extra YAML appended as is (a breaker section, a bad field). */
  readonly extra?: string;
}

/** The YAML text of a doc. */
export function reloadYaml(d: ReloadDoc): string {
  const models = Object.entries(d.models).map(([n, p]) => `  ${n}: { provider: sim, upstreamModel: sim-${n}, pricing: { inputPerMTok: ${p.input}, outputPerMTok: ${p.output} } }`);
  const keys = Object.entries(d.keys).map(([id, k]) => `    ${id}: { sha256: "${k.key.sha256}", role: ${k.role ?? "user"} }`);
  return [
    `listen: ${d.listen ?? "127.0.0.1:0"}`,
    "providers:",
    `  sim: { kind: openai, baseUrl: "${d.baseUrl}", apiKey: "\${SIM_KEY}" }`,
    "models:",
    ...models,
    `ledger: { path: "${d.ledger}" }`,
    "auth:",
    "  keys:",
    ...keys,
    d.extra ?? "",
  ].join("\n");
}

/** Writes as editors do: a new file renamed over the old one. */
export function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/** A gRPC client of the gateway sending `key`. */
export function keyedClient(address: string, key: string): Client<typeof GatewayService> {
  return createClient(
    GatewayService,
    createGrpcTransport({
      baseUrl: `http://${address}`,
      interceptors: [
        (next) => (req) => {
          req.header.set("authorization", `Bearer ${key}`);
          return next(req);
        },
      ],
    }),
  );
}

/** A health client of the gateway. */
export function healthClient(address: string): Client<typeof Health> {
  return createClient(Health, createGrpcTransport({ baseUrl: `http://${address}` }));
}

/** Polls `probe` every 25 ms until it returns true; resolves with the ms it took, or rejects after `timeoutMs`. */
export async function within(timeoutMs: number, probe: () => Promise<boolean>): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (await probe()) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

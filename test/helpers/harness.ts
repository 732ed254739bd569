/** Test harness: a real listening gateway over simulated providers, and real clients for it. */
import { createClient } from "@connectrpc/connect";
import type { Client } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { buildApp } from "../../src/app/app.js";
import type { App, AppOptions } from "../../src/app/app.js";
import { validateConfig } from "../../src/config/validate.js";
import { startSimulator } from "../../src/sim/server.js";
import type { SimEndpointSpec, Simulator } from "../../src/sim/server.js";
import { createLogger } from "../../src/telemetry/log.js";
import { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";

/** A running gateway with its simulator. */
export interface Harness {
  readonly app: App;
  readonly sim: Simulator;
  readonly port: number;
  readonly address: string;
  /** A Connect-ES client over gRPC (HTTP/2). */
  readonly grpc: Client<typeof GatewayService>;
  /** A Connect-ES client over the Connect protocol (HTTP/1.1 JSON). */
  readonly connect: Client<typeof GatewayService>;
  close(): Promise<void>;
}

/** Raw config (as YAML would give it) minus providers, whose baseUrls the harness fills in. */
export interface HarnessConfig {
  readonly endpoints: Readonly<Record<string, SimEndpointSpec>>;
  /** Extra provider fields per endpoint (timeouts and the like). */
  readonly providerExtras?: Readonly<Record<string, Record<string, unknown>>>;
  readonly config: Record<string, unknown>;
  /** Composition options (tracing); defaults to none. */
  readonly app?: AppOptions;
}

/** Starts the simulator and a gateway listening on a free loopback port. */
export async function startHarness(h: HarnessConfig): Promise<Harness> {
  const sim = await startSimulator(h.endpoints);
  const providers: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(h.endpoints)) {
    providers[name] = { kind: spec.kind, baseUrl: sim.baseUrl(name), apiKey: `test-key-${name}`, ...h.providerExtras?.[name] };
  }
  const config = validateConfig({ listen: "127.0.0.1:0", ledger: { path: ":memory:" }, auth: { enabled: false }, ...h.config, providers });
  const app = await buildApp(config, createLogger("error"), h.app);
  const port = await app.listen(0);
  const address = `127.0.0.1:${port}`;
  return {
    app,
    sim,
    port,
    address,
    grpc: createClient(GatewayService, createGrpcTransport({ baseUrl: `http://${address}` })),
    connect: createClient(GatewayService, createConnectTransport({ baseUrl: `http://${address}`, httpVersion: "1.1" })),
    async close() {
      await app.close(1000);
      await sim.close();
    },
  };
}

/** A one-model config over one simulated OpenAI endpoint named "sim". */
export function oneModel(profile: SimEndpointSpec["profile"] = {}): HarnessConfig {
  return {
    endpoints: { sim: { kind: "openai", profile } },
    config: { models: { m1: { provider: "sim", pricing: { inputPerMTok: 1, outputPerMTok: 2 } } } },
  };
}

/** The composition root: builds every component from one config snapshot and wires them. */
import type { GatewayConfig } from "./config/schema.js";
import { Gateway } from "./gateway/gateway.js";
import type { ProviderAdapter } from "./providers/adapter.js";
import { createAdapter } from "./providers/registry.js";
import { GatewayServer } from "./server/server.js";
import { createGatewayService } from "./service/gateway-service.js";
import { systemClock, systemRandom } from "./system.js";
import type { Logger } from "./telemetry/log.js";

/** A built, not yet listening, gateway. */
export interface App {
  readonly config: GatewayConfig;
  readonly gateway: Gateway;
  readonly server: GatewayServer;
  /** Listens on the configured address (or `port` when given; 0 picks a free port). */
  listen(port?: number): Promise<number>;
  /** Drains and closes everything; true when in-flight calls finished within the grace period. */
  close(graceMs?: number): Promise<boolean>;
}

/** Builds the gateway from a config snapshot. */
export function buildApp(config: GatewayConfig, logger: Logger): App {
  const adapters = new Map<string, ProviderAdapter>();
  for (const p of config.providers.values()) adapters.set(p.name, createAdapter(p));
  const gateway = new Gateway({ config, adapters, clock: systemClock, random: systemRandom });
  const service = createGatewayService({ gateway, clock: systemClock });
  const server = new GatewayServer({ service, maxRequestBytes: config.maxRequestBytes });
  return {
    config,
    gateway,
    server,
    listen: (port) => server.listen(port ?? config.listen.port, config.listen.host),
    async close(graceMs = config.shutdownGraceMs) {
      const finished = await server.stop(graceMs);
      if (!finished) logger.log("warn", "grace period over: closed calls still in flight", { graceMs });
      await Promise.all([...adapters.values()].map((a) => a.close()));
      return finished;
    },
  };
}

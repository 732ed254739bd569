/** The composition root: builds every component from one config snapshot and wires them. */
import type { GatewayConfig } from "../config/schema.js";
import { Gateway } from "../gateway/gateway.js";
import type { ProviderAdapter } from "../providers/adapter.js";
import { createAdapter } from "../providers/registry.js";
import { GatewayServer } from "../server/server.js";
import { doorRoutes } from "./doors.js";
import { createGatewayService } from "../service/gateway-service.js";
import { systemClock, systemRandom } from "./system.js";
import { redacting } from "../telemetry/log.js";
import { createRedactor } from "../telemetry/redact.js";
import type { Logger } from "../telemetry/log.js";
import { logObserver } from "../gateway/observers/log-observer.js";
import { ledgerRecorder } from "../gateway/usage.js";
import { openAccounting } from "./accounting.js";
import { GatewayTelemetry } from "../telemetry/gateway-telemetry.js";
import { composeObservers } from "../gateway/observer.js";
import type { GatewayObserver } from "../gateway/observer.js";
import type { ModelHealth } from "../gateway/types.js";
import { telemetryObserver } from "../gateway/observers/telemetry-observer.js";
import { tracingInterceptor } from "../server/tracing.js";
import { authInterceptor } from "../server/auth.js";
import type { Interceptor } from "@connectrpc/connect";
import { GatewayService } from "../../gen/llmgateway/v1/gateway_pb.js";
import { HealthCheckResponse_ServingStatus as Status } from "../../gen/grpc/health/v1/health_pb.js";
import type { LedgerState } from "../accounting/ledger/ledger-state.js";

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

/** Breaker gauge values: 0 closed, 1 half-open, 2 open, 3 cooling down. */
const HEALTH_GAUGE: Record<ModelHealth, number> = { healthy: 0, probing: 1, unhealthy: 2, cooling_down: 3 };

/** Ledger gauge values: 0 ok, 1 spilling, 2 down. */
const LEDGER_GAUGE: Record<LedgerState, number> = { ok: 0, spilling: 1, down: 2 };

/** Options of the composition that do not come from the config file. */
export interface AppOptions {
  /** Trace RPCs and attempts (the SDK is started; without it the API is a no-op anyway). */
  readonly tracing: boolean;
  /** Record prompts in spans (operator opt-in). */
  readonly captureContent: boolean;
}

/** Builds the gateway from a config snapshot (opening its ledger). */
export async function buildApp(config: GatewayConfig, logger: Logger, options: AppOptions = { tracing: false, captureContent: false }): Promise<App> {
  // One redactor for every secret, built once: the logger scrubs lines with it, and the adapters the provider
  // text that reaches clients and spans (error reasons, model names).
  const redactor = createRedactor([...config.providers.values()].flatMap((p) => (p.apiKey ? [p.apiKey.reveal()] : [])));
  const adapters = new Map<string, ProviderAdapter>();
  for (const p of config.providers.values()) adapters.set(p.name, createAdapter(p, systemClock.now, redactor.empty ? undefined : redactor.text, { maxEventBytes: config.bounds.maxProviderEventBytes, maxBodyBytes: config.bounds.maxProviderBodyBytes }));
  const log = redacting(logger, redactor);
  const accounting = await openAccounting(config, systemClock, log);
  const observers: GatewayObserver[] = [logObserver(log)];
  const telemetry = options.tracing ? new GatewayTelemetry({ captureContent: options.captureContent }) : undefined;
  if (telemetry) observers.push(telemetryObserver(telemetry, config));
  const gateway = new Gateway({
    config,
    adapters,
    clock: systemClock,
    random: systemRandom,
    observer: composeObservers(observers),
    usage: ledgerRecorder(accounting.ledger, log),
    budgets: accounting.budgets,
    accountingReady: () => accounting.ledger.state !== "down",
  });
  telemetry?.observeLedger(() => LEDGER_GAUGE[accounting.ledger.state]);
  telemetry?.observeBreakers(() => [...config.models.values()].map((m) => ({ model: m.name, provider: m.provider, state: HEALTH_GAUGE[gateway.health(m.name)] })));
  const service = createGatewayService({ gateway, clock: systemClock, ledger: accounting.ledger });
  // Outermost first: trace every RPC, then authenticate it.
  const interceptors: Interceptor[] = [];
  if (options.tracing) interceptors.push(tracingInterceptor([GatewayService.typeName]));
  if (config.auth.enabled) interceptors.push(authInterceptor(config.auth, [GatewayService.typeName]));
  const server = new GatewayServer({ service, maxRequestBytes: config.maxRequestBytes, interceptors, tls: config.tls, edge: config.edge, log, doors: doorRoutes() });
  // GatewayService is NOT_SERVING while the ledger can record nothing (requests are refused then), SERVING again once
  // the ledger or its spill takes rows. The server ("") stays SERVING: it is alive, and reports still work.
  const serving = (state: LedgerState): Status => (state === "down" ? Status.NOT_SERVING : Status.SERVING);
  server.health.set(GatewayService.typeName, serving(accounting.ledger.state));
  accounting.ledger.onState((change) => server.health.set(GatewayService.typeName, serving(change.state)));
  return {
    config,
    gateway,
    server,
    listen: (port) => server.listen(port ?? config.listen.port, config.listen.host),
    async close(graceMs = config.shutdownGraceMs) {
      const finished = await server.stop(graceMs);
      if (!finished) log.log("warn", "grace period over: closed calls still in flight", { graceMs });
      // Requests cut by the drain still write their ledger rows: wait for them before closing the ledger.
      await gateway.idle(2_000);
      await Promise.all([...adapters.values()].map((a) => a.close()));
      await accounting.close();
      return finished;
    },
  };
}

/** The composition root: builds every component from one config snapshot and wires them. */
import type { GatewayConfig } from "../config/schema.js";
import { Gateway } from "../gateway/gateway.js";
import { GatewayServer } from "../server/server.js";
import { doorRoutes } from "./doors.js";
import { createGatewayService } from "../service/gateway-service.js";
import { systemClock, systemRandom } from "./system.js";
import { redacting } from "../telemetry/log.js";
import { AdapterSet } from "./adapters.js";
import { CONFIG_HEALTH_SERVICE, Reloader } from "./reload.js";
import type { AuthConfig } from "../config/auth.js";
import type { Logger } from "../telemetry/log.js";
import { logObserver } from "../gateway/observers/log-observer.js";
import { ledgerRecorder } from "../gateway/usage.js";
import { openAccounting } from "./accounting.js";
import { STATE_HEALTH_SERVICE, stateFactory } from "./shared-state.js";
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
  /** The config snapshot new requests run on (it changes with each applied reload). */
  readonly config: GatewayConfig;
  /** Reloads the config file (SIGHUP, file watch, ReloadConfig); undefined when built without a file (demo, tests). */
  readonly reloader: Reloader | undefined;
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
  /** The file the config was read from, which makes it reloadable. */
  readonly configFile?: ConfigFile;
  /** This process's place in a group of `serve --workers N` (absent: a process on its own). */
  readonly worker?: WorkerPlace;
}

/** A worker's index in its group of `count` processes sharing the port. */
export interface WorkerPlace {
  readonly index: number;
  readonly count: number;
}

/** A config's file, for reloads. */
export interface ConfigFile {
  readonly path: string;
  /** The text the running config was read from (a watched change to the same text is no reload). */
  readonly text?: string;
  /** Applies the command line's overrides (--listen) to each reloaded config, as at start. */
  readonly adjust?: (config: GatewayConfig) => GatewayConfig;
}

/** Builds the gateway from a config snapshot (opening its ledger). */
export async function buildApp(first: GatewayConfig, logger: Logger, options: AppOptions = { tracing: false, captureContent: false }): Promise<App> {
  let config = first;
  const current = (): GatewayConfig => config;
  // One redactor for every provider key seen (a reload adds new ones): the logger scrubs lines with it, and the
  // adapters the provider text that reaches clients and spans (error reasons, model names).
  const adapterSet = new AdapterSet();
  const adapters = adapterSet.adaptersFor(config);
  const log = redacting(logger, adapterSet.redactor);
  // Without shared state, each of N workers enforces its share of every limit and budget.
  const share = options.worker?.count ?? 1;
  const accounting = await openAccounting(config, systemClock, log, stateFactory(config, log, share));
  const { state } = accounting;
  const shared = state.health;
  const observers: GatewayObserver[] = [logObserver(log)];
  const telemetry = options.tracing ? new GatewayTelemetry({ captureContent: options.captureContent }) : undefined;
  if (telemetry) observers.push(telemetryObserver(telemetry, current));
  const gateway = new Gateway({
    config,
    adapters,
    clock: systemClock,
    random: systemRandom,
    observer: composeObservers(observers),
    usage: ledgerRecorder(accounting.ledger, log),
    keys: state.keys,
    ...(state.deployments ? { deployments: state.deployments } : { localShare: share }),
    budgets: accounting.budgets,
    accountingReady: () => accounting.ledger.state !== "down",
  });
  telemetry?.observeLedger(() => LEDGER_GAUGE[accounting.ledger.state]);
  if (shared) telemetry?.observeSharedState(() => shared.status());
  telemetry?.observeBreakers(() => [...config.models.values()].map((m) => ({ model: m.name, provider: m.provider, state: HEALTH_GAUGE[gateway.health(m.name)] })));
  let server: GatewayServer | undefined;
  const file = options.configFile;
  const reloader =
    file &&
    new Reloader(
      {
        path: file.path,
        current,
        adjust: file.adjust,
        log,
        async apply(next) {
          if (config.auth.enabled && !next.auth.enabled) log.log("warn", "config reload turned client authentication OFF (auth.enabled: false): anyone who can reach this port can spend your provider budget");
          const budgets = await accounting.budgetsFor(next);
          const drained = gateway.reconfigure({ config: next, adapters: adapterSet.adaptersFor(next), budgets });
          config = next;
          // Adapters of changed or removed providers close once the requests that started on them have ended.
          void drained.then(() => adapterSet.closeUnused(gateway.adaptersInUse())).catch((err: unknown) => log.log("warn", "closing replaced provider adapters failed", { err }));
        },
        onOutcome: (ok) => server?.health.set(CONFIG_HEALTH_SERVICE, ok ? Status.SERVING : Status.NOT_SERVING),
      },
      file.text,
    );
  const service = createGatewayService({ gateway, clock: systemClock, ledger: accounting.ledger, reload: reloader && (async () => (await reloader.reload("rpc")) ?? unreachable()) });
  // Outermost first: trace every RPC, then authenticate it against the keys of the config running now.
  const interceptors: Interceptor[] = [];
  if (options.tracing) interceptors.push(tracingInterceptor([GatewayService.typeName]));
  interceptors.push(liveAuth(() => config.auth, [GatewayService.typeName]));
  server = new GatewayServer({ service, maxRequestBytes: config.maxRequestBytes, interceptors, tls: config.tls, edge: config.edge, log, doors: doorRoutes(), healthServices: [CONFIG_HEALTH_SERVICE, ...(shared ? [STATE_HEALTH_SERVICE] : [])] });
  const listening = server;
  // GatewayService is NOT_SERVING while the ledger can record nothing (requests are refused then), SERVING again once
  // the ledger or its spill takes rows. The server ("") stays SERVING: it is alive, and reports still work.
  const serving = (state: LedgerState): Status => (state === "down" ? Status.NOT_SERVING : Status.SERVING);
  listening.health.set(GatewayService.typeName, serving(accounting.ledger.state));
  accounting.ledger.onState((change) => listening.health.set(GatewayService.typeName, serving(change.state)));
  if (shared) {
    // NOT_SERVING while Redis does not answer: requests are still served (limits on the local share), budgets refused.
    const stateStatus = (up: boolean): Status => (up ? Status.SERVING : Status.NOT_SERVING);
    listening.health.set(STATE_HEALTH_SERVICE, stateStatus(shared.status().up));
    shared.onChange((up) => listening.health.set(STATE_HEALTH_SERVICE, stateStatus(up)));
  }
  return {
    get config() {
      return config;
    },
    reloader,
    gateway,
    server: listening,
    listen: (port) => listening.listen(port ?? config.listen.port, config.listen.host),
    async close(graceMs = config.shutdownGraceMs) {
      const finished = await listening.stop(graceMs);
      if (!finished) log.log("warn", "grace period over: closed calls still in flight", { graceMs });
      // Requests cut by the drain still write their ledger rows: wait for them before closing the ledger.
      await gateway.idle(2_000);
      reloader?.close();
      await adapterSet.close();
      await accounting.close();
      return finished;
    },
  };
}

/**
 * Bearer-key authentication against the auth config running now: a key added by a reload works from the next
 * request on, a revoked one is refused from then on; with auth off (the running config's `enabled: false`) it
 * lets calls through. One interceptor per AuthConfig snapshot, made when that snapshot first serves.
 */
function liveAuth(auth: () => AuthConfig, services: readonly string[]): Interceptor {
  const bySnapshot = new WeakMap<AuthConfig, Interceptor>();
  return (next) => (req) => {
    const a = auth();
    if (!a.enabled) return next(req);
    let interceptor = bySnapshot.get(a);
    if (!interceptor) bySnapshot.set(a, (interceptor = authInterceptor(a, services)));
    return interceptor(next)(req);
  };
}

function unreachable(): never {
  throw new Error("a reload asked for by RPC always reports");
}

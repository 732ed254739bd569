/** `serve` (composition root, with main and app): load the config (or start the embedded demo), listen, and drain on SIGTERM/SIGINT. */
import { buildApp } from "./app.js";
import { readFileSync } from "node:fs";
import { parseConfigText } from "../config/load.js";
import type { GatewayConfig } from "../config/schema.js";
import { watchConfigFile } from "./config-watch.js";
import { ConfigError } from "../config/reader.js";
import { startDemo } from "./demo.js";
import { runDemoTraffic } from "./demo-traffic.js";
import type { Simulator } from "../sim/server.js";
import { createLogger } from "../telemetry/log.js";
import { startTelemetry } from "../telemetry/sdk.js";
import type { Args } from "../cli/args.js";
import { flag } from "../cli/args.js";
import { isPrimary, runPrimary, workerPlace } from "./workers.js";

const DEMO_BANNER = `
==========================================================================
  DEMO MODE: no config given, so the gateway serves a built-in catalogue
  (gpt-4.1, claude-sonnet-4.5, gemini-2.5-flash, deepseek-v3.2) backed by
  SIMULATED providers running in this process. No real model is called.

  To use real providers: write a config (see README "Configuration") and
  start with --config PATH or GATEWAY_CONFIG=PATH.
==========================================================================
`;

/** The most workers `--workers` takes. */
const MAX_WORKERS = 64;

/** Runs the server (or, with --workers N, a group of N server processes) until a signal; returns the exit code. */
export async function serve(args: Args): Promise<number> {
  const logger = createLogger();
  const path = flag(args, "config") ?? process.env["GATEWAY_CONFIG"];
  const listen = flag(args, "listen");
  const workersText = flag(args, "workers") ?? process.env["GATEWAY_WORKERS"];
  const workers = workersText === undefined ? 1 : Number(workersText);
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    process.stderr.write(`--workers: must be a whole number from 1 to ${MAX_WORKERS}, got "${workersText ?? ""}"\n`);
    return 2;
  }
  if (workers > 1 && isPrimary()) {
    // The config is checked once here, so a mistake is one message and exit code 2, not N dying workers.
    if (path) {
      try {
        for (const warning of parseConfigText(readConfigText(path)).warnings) logger.log("warn", warning);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        process.stderr.write(`${err.message}\n`);
        return 2;
      }
    }
    return runPrimary(workers, logger);
  }
  const place = workerPlace();
  let simulator: Simulator | undefined;
  let config;
  let text: string | undefined;
  let warnings: readonly string[] = [];
  try {
    if (path) {
      text = readConfigText(path);
      ({ config, warnings } = parseConfigText(text));
    } else {
      const demo = await startDemo(listen ?? "127.0.0.1:50051", flag(args, "ledger") ?? "gateway-demo-ledger.db");
      config = demo.config;
      simulator = demo.simulator;
      process.stderr.write(DEMO_BANNER);
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  // --listen wins over the file's listen, at start and at every reload; a worker writes a spill journal of its own.
  let address: GatewayConfig["listen"] | undefined;
  if (listen && path) {
    const m = /^(.*):(\d+)$/.exec(listen);
    if (!m) {
      process.stderr.write(`--listen: must be host:port\n`);
      return 2;
    }
    address = { host: m[1] ?? "127.0.0.1", port: Number(m[2]) };
  }
  const adjust = (c: GatewayConfig): GatewayConfig => {
    const spillPath = place && c.ledger.spillPath !== undefined ? `${c.ledger.spillPath}.w${place.index}` : c.ledger.spillPath;
    return { ...c, listen: address ?? c.listen, ledger: { ...c.ledger, spillPath } };
  };
  config = adjust(config);
  for (const warning of warnings) logger.log("warn", warning);
  if (!config.auth.enabled && !config.demo) {
    logger.log("warn", "client authentication is OFF (auth.enabled: false): anyone who can reach this port can spend your provider budget; use only for local development");
  }
  const telemetry = await startTelemetry();
  const configFile = path === undefined ? undefined : { path, text, adjust };
  const app = await buildApp(config, logger, { tracing: telemetry.enabled, captureContent: process.env["GATEWAY_CAPTURE_CONTENT"] === "true", configFile, ...(place ? { worker: place } : {}) });
  const port = await app.listen();
  // Live reload: SIGHUP, a change of the file, or the ReloadConfig RPC (`llm-gateway reload`).
  const { reloader } = app;
  const reload = (trigger: "signal" | "file"): void => {
    if (!reloader) logger.log("warn", "no config file to reload (the demo runs on its built-in catalogue)", { trigger });
    else reloader.reload(trigger).catch((err: unknown) => logger.log("error", "config reload failed", { err }));
  };
  const onHup = (): void => reload("signal");
  process.on("SIGHUP", onHup);
  const watch = path === undefined || process.env["GATEWAY_WATCH_CONFIG"] === "false" ? undefined : watchConfigFile(path, () => reload("file"), logger);
  logger.log("info", "gateway listening", {
    address: `${config.listen.host}:${port}`,
    models: [...config.models.keys()],
    routes: [...config.routes.keys()],
    demo: config.demo,
    tracing: telemetry.enabled,
    ...(place ? { worker: place.index, workers: place.count } : {}),
  });
  if (config.demo && (place?.index ?? 0) === 0) {
    const base = `http://${config.listen.host}:${port}`;
    logger.log("info", "demo: sending a short built-in load so the dashboard has traffic", { dashboard: `${base}/dashboard/` });
    void runDemoTraffic(base).then((answered) => logger.log("info", "demo load done", { answered }));
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        // A worker's SIGTERM may come twice (the primary's, and a supervisor's to the whole group): its primary
        // escalates with SIGKILL on a second signal of its own.
        if (place) return;
        logger.log("warn", "second signal: exiting now", { signal });
        process.exit(1);
      }
      stopping = true;
      watch?.close();
      process.off("SIGHUP", onHup);
      logger.log("info", "draining", { signal, graceMs: app.config.shutdownGraceMs, inFlight: app.server.inFlight });
      void app.close().then(async (finished) => {
        await telemetry.shutdown();
        await simulator?.close();
        logger.log("info", "stopped", { finished });
        resolve();
      });
    };
    process.on("SIGTERM", onSignal);
    // A worker drains when its primary says so (SIGTERM); a Ctrl-C reaches the whole process group, the primary included.
    process.on("SIGINT", place ? () => undefined : onSignal);
  });
  return 0;
}

/** The config file's text; a file that cannot be read is a ConfigError naming it, as loadConfigFile says. */
function readConfigText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError([{ path: "(file)", message: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? "error"}` }]);
  }
}

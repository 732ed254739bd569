/** `serve` (composition root, with main and app): load the config (or start the embedded demo), listen, and drain on SIGTERM/SIGINT. */
import { buildApp } from "./app.js";
import { loadConfigFile } from "../config/load.js";
import { ConfigError } from "../config/reader.js";
import { startDemo } from "./demo.js";
import { runDemoTraffic } from "./demo-traffic.js";
import type { Simulator } from "../sim/server.js";
import { createLogger } from "../telemetry/log.js";
import { startTelemetry } from "../telemetry/sdk.js";
import type { Args } from "../cli/args.js";
import { flag } from "../cli/args.js";

const DEMO_BANNER = `
==========================================================================
  DEMO MODE: no config given, so the gateway serves a built-in catalogue
  (gpt-4.1, claude-sonnet-4.5, gemini-2.5-flash, deepseek-v3.2) backed by
  SIMULATED providers running in this process. No real model is called.

  To use real providers: write a config (see README "Configuration") and
  start with --config PATH or GATEWAY_CONFIG=PATH.
==========================================================================
`;

/** Runs the server until a signal; returns the process exit code. */
export async function serve(args: Args): Promise<number> {
  const logger = createLogger();
  const path = flag(args, "config") ?? process.env["GATEWAY_CONFIG"];
  const listen = flag(args, "listen");
  let simulator: Simulator | undefined;
  let config;
  let warnings: readonly string[] = [];
  try {
    if (path) {
      ({ config, warnings } = loadConfigFile(path));
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
  if (listen && path) {
    const m = /^(.*):(\d+)$/.exec(listen);
    if (!m) {
      process.stderr.write(`--listen: must be host:port\n`);
      return 2;
    }
    config = { ...config, listen: { host: m[1] ?? "127.0.0.1", port: Number(m[2]) } };
  }
  for (const warning of warnings) logger.log("warn", warning);
  if (!config.auth.enabled && !config.demo) {
    logger.log("warn", "client authentication is OFF (auth.enabled: false): anyone who can reach this port can spend your provider budget; use only for local development");
  }
  const telemetry = await startTelemetry();
  const app = await buildApp(config, logger, { tracing: telemetry.enabled, captureContent: process.env["GATEWAY_CAPTURE_CONTENT"] === "true" });
  const port = await app.listen();
  logger.log("info", "gateway listening", {
    address: `${config.listen.host}:${port}`,
    models: [...config.models.keys()],
    routes: [...config.routes.keys()],
    demo: config.demo,
    tracing: telemetry.enabled,
  });
  if (config.demo) {
    const base = `http://${config.listen.host}:${port}`;
    logger.log("info", "demo: sending a short built-in load so the dashboard has traffic", { dashboard: `${base}/dashboard/` });
    void runDemoTraffic(base).then((answered) => logger.log("info", "demo load done", { answered }));
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.log("warn", "second signal: exiting now", { signal });
        process.exit(1);
      }
      stopping = true;
      logger.log("info", "draining", { signal, graceMs: config.shutdownGraceMs, inFlight: app.server.inFlight });
      void app.close().then(async (finished) => {
        await telemetry.shutdown();
        await simulator?.close();
        logger.log("info", "stopped", { finished });
        resolve();
      });
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
  return 0;
}

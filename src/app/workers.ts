/**
 * `serve --workers N`: the primary forks N gateway processes that share the listening port (node:cluster hands each
 * new connection to the next worker in turn), restarts one that dies, forwards SIGHUP (reload), and on SIGTERM or
 * SIGINT drains them all and exits when the last has. It never listens or serves itself.
 */
import cluster from "node:cluster";
import type { Worker } from "node:cluster";
import type { Logger } from "../telemetry/log.js";
import type { WorkerPlace } from "./app.js";

/** The variables that tell a forked process its place in the group. */
const INDEX_VAR = "GATEWAY_WORKER_INDEX";
const COUNT_VAR = "GATEWAY_WORKERS";
/** The first restart of a dead worker waits this long; each quick death doubles it, up to MAX_RESTART_MS. */
const FIRST_RESTART_MS = 250;
const MAX_RESTART_MS = 30_000;
/** A worker that lived this long before dying is restarted after FIRST_RESTART_MS again. */
const STABLE_MS = 10_000;
/** Exit code of a worker whose config is invalid: restarting cannot help, so the group stops. */
const CONFIG_EXIT = 2;

/** The place of this process in a group, when it is a worker of one. */
export function workerPlace(env: NodeJS.ProcessEnv = process.env): WorkerPlace | undefined {
  if (cluster.isPrimary) return undefined;
  const index = Number(env[INDEX_VAR]);
  const count = Number(env[COUNT_VAR]);
  return Number.isInteger(index) && Number.isInteger(count) && count > 1 ? { index, count } : undefined;
}

/** What a forked worker's environment adds: its place, and telemetry that tells the workers apart. */
export function workerEnv(index: number, count: number, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = { [INDEX_VAR]: String(index), [COUNT_VAR]: String(count) };
  // Each worker exports its own metrics: the instance id keeps their series apart, so a backend sums the group.
  const attrs = env["OTEL_RESOURCE_ATTRIBUTES"];
  if (!/(^|,)\s*service\.instance\.id=/.test(attrs ?? "")) {
    out["OTEL_RESOURCE_ATTRIBUTES"] = `${attrs ? `${attrs},` : ""}service.instance.id=${process.pid}-w${index}`;
  }
  // A Prometheus exporter listens on a port of its own per worker: the base port plus the worker's index.
  if ((env["OTEL_METRICS_EXPORTER"] ?? "").split(",").some((e) => e.trim() === "prometheus")) {
    out["OTEL_EXPORTER_PROMETHEUS_PORT"] = String(Number(env["OTEL_EXPORTER_PROMETHEUS_PORT"] ?? 9464) + index);
  }
  return out;
}

/** Runs the primary of a group of `count` workers until it is stopped; resolves with the exit code. */
export function runPrimary(count: number, log: Logger): Promise<number> {
  return new Promise((resolve) => {
    const byIndex = new Map<number, Worker>();
    const delay = new Map<number, number>();
    let stopping = false;
    let exitCode = 0;
    const fork = (index: number): void => {
      const started = Date.now();
      const worker = cluster.fork(workerEnv(index, count));
      byIndex.set(index, worker);
      worker.on("exit", (code, signal) => {
        byIndex.delete(index);
        if (stopping) {
          if (byIndex.size === 0) resolve(exitCode);
          return;
        }
        if (code === CONFIG_EXIT) {
          log.log("error", "a worker refused the config: stopping the group", { worker: index });
          exitCode = CONFIG_EXIT;
          stop("SIGTERM");
          return;
        }
        const wait = Date.now() - started > STABLE_MS ? FIRST_RESTART_MS : Math.min(MAX_RESTART_MS, (delay.get(index) ?? FIRST_RESTART_MS / 2) * 2);
        delay.set(index, wait);
        log.log("error", "worker died: restarting it", { worker: index, pid: worker.process.pid, code, signal, restartInMs: wait });
        setTimeout(() => {
          if (!stopping) fork(index);
        }, wait).unref();
      });
    };
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        log.log("warn", "second signal: killing the workers now", { signal });
        for (const w of byIndex.values()) w.process.kill("SIGKILL");
        return;
      }
      stopping = true;
      log.log("info", "draining the workers", { signal, workers: byIndex.size });
      if (byIndex.size === 0) resolve(exitCode);
      for (const w of byIndex.values()) w.process.kill("SIGTERM");
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGHUP", () => {
      for (const w of byIndex.values()) w.process.kill("SIGHUP");
    });
    log.log("info", "starting workers", { workers: count });
    for (let i = 0; i < count; i++) fork(i);
  });
}

/** Whether this process is the primary of a group (forked workers run the gateway, the primary only supervises). */
export function isPrimary(): boolean {
  return cluster.isPrimary;
}

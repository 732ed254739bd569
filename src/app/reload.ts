/**
 * Live config reload: read the file, validate it completely, refuse what cannot change while running, then hand
 * the new snapshot over in one step. Reloads run one at a time; each ends in a report, a log line, the metric
 * `llmgateway.config.reloads` (outcome ok|failed) and the gauge `llmgateway.config.last_reload` (1 ok, 0 failed).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { metrics } from "@opentelemetry/api";
import type { Meter, ObservableResult } from "@opentelemetry/api";
import { describeChanges, diffConfig } from "../config/diff.js";
import type { ConfigDiff } from "../config/diff.js";
import { parseConfigText } from "../config/load.js";
import { ConfigError } from "../config/reader.js";
import type { ConfigIssue } from "../config/reader.js";
import type { GatewayConfig } from "../config/schema.js";
import type { Logger } from "../telemetry/log.js";
import type { ReloadReport } from "../service/reload-config.js";

/** What started a reload. */
export type ReloadTrigger = "signal" | "file" | "rpc";

/** The health service whose status says how the last reload went (SERVING: ok or none yet; NOT_SERVING: failed). */
export const CONFIG_HEALTH_SERVICE = "llmgateway.config";

/** What the reloader reads and drives. */
export interface ReloaderDeps {
  readonly path: string;
  /** The config running now. */
  readonly current: () => GatewayConfig;
  /** Fixes up a loaded config as the command line did at start (a --listen override). */
  readonly adjust?: (config: GatewayConfig) => GatewayConfig;
  /** Makes `next` the snapshot of new requests (called only for a valid config with live changes only). */
  readonly apply: (next: GatewayConfig, diff: ConfigDiff) => Promise<void>;
  /** Told each outcome (health status). */
  readonly onOutcome?: (ok: boolean) => void;
  readonly log: Logger;
  readonly meter?: Meter;
}

/** Reloads the config file on demand, one reload at a time. */
export class Reloader {
  readonly #deps: ReloaderDeps;
  #queue: Promise<unknown> = Promise.resolve();
  /** The digest of the text last read, so that a file event that changed nothing is no reload. */
  #lastDigest: string | undefined;
  #lastOk = true;

  constructor(deps: ReloaderDeps, startText?: string) {
    this.#deps = deps;
    this.#lastDigest = startText === undefined ? undefined : digest(startText);
    const meter = deps.meter ?? metrics.getMeter("llm-gateway");
    const counter = meter.createCounter("llmgateway.config.reloads", { description: "Config reloads by outcome (ok: applied, failed: refused, the running config kept)" });
    const gauge = meter.createObservableGauge("llmgateway.config.last_reload", { description: "Outcome of the last config reload: 1 ok (or none yet), 0 failed" });
    const observe = (r: ObservableResult): void => r.observe(this.#lastOk ? 1 : 0);
    gauge.addCallback(observe);
    this.#stopGauge = () => gauge.removeCallback(observe);
    this.#count = (outcome) => counter.add(1, { outcome });
  }

  readonly #count: (outcome: "ok" | "failed") => void;
  readonly #stopGauge: () => void;

  /** Stops reporting the gauge (the process is closing). */
  close(): void {
    this.#stopGauge();
  }

  /** True unless the last reload was refused. */
  get lastOk(): boolean {
    return this.#lastOk;
  }

  /** Reads the file again and applies it; a "file" trigger whose text did not change does nothing (undefined). */
  reload(trigger: ReloadTrigger): Promise<ReloadReport | undefined> {
    const run = this.#queue.then(() => this.#reload(trigger));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #reload(trigger: ReloadTrigger): Promise<ReloadReport | undefined> {
    const { path, log } = this.#deps;
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      return this.#refused(trigger, [{ path: "(file)", message: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? "error"}` }]);
    }
    const d = digest(text);
    if (trigger === "file" && d === this.#lastDigest) return undefined;
    this.#lastDigest = d;
    let next: GatewayConfig;
    try {
      const loaded = parseConfigText(text);
      next = this.#deps.adjust ? this.#deps.adjust(loaded.config) : loaded.config;
      for (const warning of loaded.warnings) log.log("warn", warning);
    } catch (err) {
      if (err instanceof ConfigError) return this.#refused(trigger, err.issues);
      throw err;
    }
    const diff = diffConfig(this.#deps.current(), next);
    if (diff.restartOnly.length > 0) return this.#refused(trigger, diff.restartOnly);
    if (diff.changes.length > 0) {
      try {
        await this.#deps.apply(next, diff);
      } catch (err) {
        return this.#refused(trigger, [{ path: "(apply)", message: err instanceof Error ? err.message : String(err) }]);
      }
    }
    this.#outcome(true);
    log.log("info", diff.changes.length > 0 ? "config reloaded" : "config reloaded: nothing changed", { trigger, path, changes: describeChanges(diff.changes) });
    return { applied: true, path, changes: diff.changes, problems: [] };
  }

  #refused(trigger: ReloadTrigger, problems: readonly ConfigIssue[]): ReloadReport {
    this.#outcome(false);
    this.#deps.log.log("error", "config reload refused: the running config keeps serving", {
      trigger,
      path: this.#deps.path,
      problems: problems.map((p) => `${p.path}: ${p.message}`),
    });
    return { applied: false, path: this.#deps.path, changes: [], problems };
  }

  #outcome(ok: boolean): void {
    this.#lastOk = ok;
    this.#count(ok ? "ok" : "failed");
    this.#deps.onOutcome?.(ok);
  }
}

function digest(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("base64");
}

/** Starts the OpenTelemetry Node SDK from the standard OTEL_* variables; nothing at all when none is set. */

import { SyncContextManager } from "./sync-context.js";

/** A started (or skipped) telemetry SDK. */
export interface TelemetryHandle {
  /** True when an SDK is running and exporting. */
  readonly enabled: boolean;
  /** Flushes and stops exporting (spans are flushed on shutdown). */
  shutdown(): Promise<void>;
}

const TRIGGERS = [
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
  "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
  "OTEL_TRACES_EXPORTER",
  "OTEL_METRICS_EXPORTER",
];

/**
 * Starts the SDK when the environment asks for telemetry (an OTLP endpoint or an exporter is named)
 * and OTEL_SDK_DISABLED is not true. Otherwise the API stays a no-op: near-zero cost, and the SDK (about
 * 27 MiB of code and exporters) is not even loaded.
 */
export async function startTelemetry(env: NodeJS.ProcessEnv = process.env): Promise<TelemetryHandle> {
  const disabled = (env["OTEL_SDK_DISABLED"] ?? "").toLowerCase() === "true";
  const wanted = TRIGGERS.some((name) => (env[name] ?? "") !== "");
  if (disabled || !wanted) return { enabled: false, shutdown: async () => undefined };
  // No auto-instrumentation: the gateway creates its own spans (RPC, attempts) with GenAI attributes.
  // Only the env detector: OTEL_RESOURCE_ATTRIBUTES is honoured, and no slow host probing delays export.
  // A synchronous context manager: the gateway hands trace contexts on explicitly (see server/tracing.ts),
  // and the default AsyncLocalStorage one would add promise hooks to every await of every request on Node 20.
  const [{ envDetector }, { NodeSDK }] = await Promise.all([import("@opentelemetry/resources"), import("@opentelemetry/sdk-node")]);
  const sdk = new NodeSDK({
    serviceName: env["OTEL_SERVICE_NAME"] || "llm-gateway",
    instrumentations: [],
    resourceDetectors: [envDetector],
    contextManager: new SyncContextManager(),
  });
  sdk.start();
  return { enabled: true, shutdown: () => sdk.shutdown() };
}

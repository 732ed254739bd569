/** Starts the OpenTelemetry Node SDK from the standard OTEL_* variables; nothing at all when none is set. */
import { envDetector } from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";

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
 * and OTEL_SDK_DISABLED is not true. Otherwise the API stays a no-op: near-zero cost.
 */
export function startTelemetry(env: NodeJS.ProcessEnv = process.env): TelemetryHandle {
  const disabled = (env["OTEL_SDK_DISABLED"] ?? "").toLowerCase() === "true";
  const wanted = TRIGGERS.some((name) => (env[name] ?? "") !== "");
  if (disabled || !wanted) return { enabled: false, shutdown: async () => undefined };
  // No auto-instrumentation: the gateway creates its own spans (RPC, attempts) with GenAI attributes.
  // Only the env detector: OTEL_RESOURCE_ATTRIBUTES is honoured, and no slow host probing delays export.
  const sdk = new NodeSDK({ serviceName: env["OTEL_SERVICE_NAME"] || "llm-gateway", instrumentations: [], resourceDetectors: [envDetector] });
  sdk.start();
  return { enabled: true, shutdown: () => sdk.shutdown() };
}

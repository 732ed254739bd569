/** What a forked worker is told: its place, and telemetry settings that keep the workers' metrics apart. */
import { describe, expect, it } from "vitest";
import { workerEnv } from "./workers.js";

describe("workerEnv", () => {
  it("names the worker's place and gives its metrics an instance id of their own", () => {
    const env = workerEnv(1, 3, {});
    expect(env["GATEWAY_WORKER_INDEX"]).toBe("1");
    expect(env["GATEWAY_WORKERS"]).toBe("3");
    expect(env["OTEL_RESOURCE_ATTRIBUTES"]).toBe(`service.instance.id=${process.pid}-w1`);
  });

  it("keeps the operator's resource attributes, and an instance id they set", () => {
    expect(workerEnv(0, 2, { OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=prod" })["OTEL_RESOURCE_ATTRIBUTES"]).toBe(`deployment.environment=prod,service.instance.id=${process.pid}-w0`);
    expect(workerEnv(0, 2, { OTEL_RESOURCE_ATTRIBUTES: "service.instance.id=mine" })["OTEL_RESOURCE_ATTRIBUTES"]).toBeUndefined();
  });

  it("moves each worker's Prometheus exporter to a port of its own", () => {
    expect(workerEnv(2, 3, { OTEL_METRICS_EXPORTER: "prometheus" })["OTEL_EXPORTER_PROMETHEUS_PORT"]).toBe("9466");
    expect(workerEnv(1, 3, { OTEL_METRICS_EXPORTER: "otlp,prometheus", OTEL_EXPORTER_PROMETHEUS_PORT: "9000" })["OTEL_EXPORTER_PROMETHEUS_PORT"]).toBe("9001");
    expect(workerEnv(1, 3, { OTEL_METRICS_EXPORTER: "otlp" })["OTEL_EXPORTER_PROMETHEUS_PORT"]).toBeUndefined();
  });
});

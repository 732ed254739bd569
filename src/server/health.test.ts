/** Health state: a service's status set and watched, and a drain that nothing undoes. */
import { describe, expect, it } from "vitest";
import { HealthCheckResponse_ServingStatus as Status } from "../../gen/grpc/health/v1/health_pb.js";
import { HealthState } from "./health.js";

describe("HealthState", () => {
  it("sets a known service's status and wakes its watchers; unknown services stay unknown", async () => {
    const health = new HealthState(["svc"]);
    const woken = health.changed(new AbortController().signal);
    health.set("svc", Status.NOT_SERVING);
    await woken;
    expect([health.get("svc"), health.get("")]).toEqual([Status.NOT_SERVING, Status.SERVING]);
    health.set("other", Status.NOT_SERVING);
    expect(health.get("other")).toBeUndefined();
    health.set("svc", Status.SERVING);
    expect(health.get("svc")).toBe(Status.SERVING);
  });

  it("keeps everything NOT_SERVING once draining", () => {
    const health = new HealthState(["svc"]);
    health.drain();
    health.set("svc", Status.SERVING);
    expect(health.get("svc")).toBe(Status.NOT_SERVING);
  });
});

/**
 * The listener's own bounds against a real gateway: connections stalled at each stage are closed within the
 * configured timeouts, idle HTTP/2 streams are reset, the connection limit refuses (counted in a metric), and
 * health answers within 100 ms while an attack holds every ordinary connection, with RSS under a stated bound.
 */
import { metrics } from "@opentelemetry/api";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import type { DataPoint } from "@opentelemetry/sdk-metrics";
import { constants } from "node:http2";
import type { ClientHttp2Session } from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { METRICS } from "../../src/telemetry/attributes.js";
import { EMPTY_MESSAGE, grpcHeaders, hold, openStream, session, timedHealthCheck } from "../helpers/edge-clients.js";
import type { HeldSocket } from "../helpers/edge-clients.js";
import { oneModel, startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

const N = 200;
const T = 300;
const COMPLETE = "/llmgateway.v1.GatewayService/Complete";
/** Slack for a loaded 2-core machine on top of each timeout. */
const SLACK = 700;

class HandReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

function limited(limits: Record<string, number>): Parameters<typeof startHarness>[0] {
  const base = oneModel();
  return { ...base, config: { ...base.config, server: { limits } } };
}

async function holdMany(port: number, bytes: string, since: () => number, n = N): Promise<HeldSocket[]> {
  return Promise.all(Array.from({ length: n }, () => hold(port, bytes, since)));
}

const maxOf = (xs: readonly number[]): number => xs.reduce((a, b) => Math.max(a, b), 0);
const minOf = (xs: readonly number[]): number => xs.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);

describe("timeouts at every stage of a client connection", () => {
  let h: Harness;
  let t0 = 0;
  const since = (): number => t0;
  beforeAll(async () => {
    h = await startHarness(limited({ prefaceTimeoutMs: T, headersTimeoutMs: T, bodyTimeoutMs: T, idleConnectionMs: T, idleStreamMs: T, maxConcurrentStreams: 16 }));
  });
  afterAll(() => h.close());

  it("closes connections that send nothing, only 'PR', or only 'PRI' within the preface timeout", async () => {
    t0 = performance.now();
    const held = [...(await holdMany(h.port, "", since, N / 2)), ...(await holdMany(h.port, "PR", since, N / 2)), ...(await holdMany(h.port, "PRI", since, 20))];
    const ms = await Promise.all(held.map((s) => s.closed));
    expect(minOf(ms)).toBeGreaterThanOrEqual(T - 50);
    expect(maxOf(ms)).toBeLessThan(T + SLACK);
    expect(h.app.server.edge.timedOut.preface).toBeGreaterThanOrEqual(N + 20);
  });

  it("answers half-sent HTTP/1.1 header blocks with 408 and closes them within the headers timeout", async () => {
    t0 = performance.now();
    const held = await holdMany(h.port, `POST ${COMPLETE} HTTP/1.1\r\nHost: x\r\nContent-Type: appl`, since);
    const ms = await Promise.all(held.map((s) => s.closed));
    expect(maxOf(ms)).toBeLessThan(T + SLACK);
    expect(held.every((s) => s.received().startsWith("HTTP/1.1 408"))).toBe(true);
  });

  it("closes HTTP/1.1 requests whose body stalls (Content-Length promises more) within headers + body timeouts", async () => {
    t0 = performance.now();
    const head = `POST ${COMPLETE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"model":`;
    const held = await holdMany(h.port, head, since);
    const ms = await Promise.all(held.map((s) => s.closed));
    expect(minOf(ms)).toBeGreaterThanOrEqual(T);
    expect(maxOf(ms)).toBeLessThan(2 * T + SLACK);
  });

  it("closes idle HTTP/1.1 keep-alive connections after the idle timeout (Node adds 1 s to keepAliveTimeout)", async () => {
    const check = 'POST /grpc.health.v1.Health/Check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}';
    t0 = performance.now();
    const held = await holdMany(h.port, check, since, 50);
    const ms = await Promise.all(held.map((s) => s.closed));
    expect(held.every((s) => s.received().startsWith("HTTP/1.1 200"))).toBe(true);
    expect(minOf(ms)).toBeGreaterThanOrEqual(T);
    expect(maxOf(ms)).toBeLessThan(T + 1000 + SLACK);
  });

  it("resets HTTP/2 streams with headers and no body (lean gRPC, no grpc-timeout) after the idle-stream timeout", async () => {
    const sessions = await Promise.all(Array.from({ length: 10 }, () => session(h.port)));
    expect(sessions[0]?.remoteSettings.maxConcurrentStreams).toBe(16);
    t0 = performance.now();
    const ends = await Promise.all(sessions.flatMap((s) => Array.from({ length: 16 }, () => openStream(s, grpcHeaders(COMPLETE), undefined, false, since).done)));
    for (const s of sessions) s.destroy();
    expect(ends.every((e) => e.rstCode === constants.NGHTTP2_CANCEL)).toBe(true);
    expect(minOf(ends.map((e) => e.ms))).toBeGreaterThanOrEqual(T - 50);
    expect(maxOf(ends.map((e) => e.ms))).toBeLessThan(T + SLACK);
  });

  it("resets an HTTP/2 Connect request whose Content-Length promises more than it sends", async () => {
    const s = await session(h.port);
    t0 = performance.now();
    const headers = { ":method": "POST", ":path": COMPLETE, "content-type": "application/json", "content-length": "100" };
    const end = await openStream(s, headers, Buffer.from('{"model":'), false, since).done;
    s.destroy();
    expect(end.rstCode).toBe(constants.NGHTTP2_CANCEL);
    expect(end.ms).toBeLessThan(T + SLACK);
  });

  it("closes an HTTP/2 connection with no open stream after the idle timeout (GOAWAY)", async () => {
    t0 = performance.now();
    const sessions = await Promise.all(Array.from({ length: 20 }, () => session(h.port)));
    const ms = await Promise.all(sessions.map((s) => new Promise<number>((resolve) => s.once("close", () => resolve(performance.now() - t0)))));
    expect(maxOf(ms)).toBeLessThan(T + SLACK);
    expect(h.app.server.edge.timedOut.idle_connection).toBeGreaterThanOrEqual(20);
  });
});

describe("the connection limit, and health during an attack", () => {
  const MAX = 300;
  const RESERVE = 8;
  let h: Harness;
  const reader = new HandReader();
  const provider = new MeterProvider({ readers: [reader] });
  beforeAll(async () => {
    metrics.setGlobalMeterProvider(provider);
    const slow = 5_000;
    h = await startHarness(limited({ prefaceTimeoutMs: slow, headersTimeoutMs: slow, bodyTimeoutMs: slow, idleStreamMs: slow, maxConnections: MAX, healthConnections: RESERVE }));
  });
  afterAll(async () => {
    await h.close();
    metrics.disable();
  });

  it("holds the attack, answers health within 100 ms, refuses ordinary calls on the reserve and past it refuses at once", async () => {
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const now = (): number => 0;
    // The attack: silent connections, half-sent header blocks, and HTTP/2 sessions full of streams with no body.
    const silent = await holdMany(h.port, "", now, 100);
    const halfHeaders = await holdMany(h.port, `POST ${COMPLETE} HTTP/1.1\r\nHost: x\r\n`, now, 100);
    const sessions: ClientHttp2Session[] = await Promise.all(Array.from({ length: 50 }, () => session(h.port)));
    for (const s of sessions) for (let i = 0; i < 40; i++) openStream(s, grpcHeaders(COMPLETE), undefined, false, now);
    const filler = await holdMany(h.port, "PR", now, MAX - 250);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.app.server.edge.open).toBe(MAX);

    // Health answers on a reserve connection, each well within 100 ms.
    const checks = [];
    for (let i = 0; i < 10; i++) checks.push(await timedHealthCheck(h.port));
    expect(checks.every((c) => c.serving)).toBe(true);
    expect(maxOf(checks.map((c) => c.ms))).toBeLessThan(100);

    // Anything else on a reserve connection: UNAVAILABLE (gRPC) or 503 (Connect), and the connection is closed.
    const s = await session(h.port);
    const grpc = await openStream(s, grpcHeaders(COMPLETE), EMPTY_MESSAGE, true, now).done;
    expect(grpc.headers["grpc-status"]).toBe("14");
    const connect = await hold(h.port, `POST ${COMPLETE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`, now);
    await connect.closed;
    expect(connect.received()).toMatch(/^HTTP\/1\.1 503[^]*"code":"unavailable"/);

    // Past the limit and the reserve: refused at once, counted.
    const t0 = performance.now();
    const extra = await holdMany(h.port, "", () => t0, RESERVE + 12);
    const refusedMs = (await Promise.all(extra.map((e) => Promise.race([e.closed, new Promise<number>((r) => setTimeout(() => r(-1), 500))])))).filter((ms) => ms >= 0);
    expect(refusedMs.length).toBe(12);
    expect(maxOf(refusedMs)).toBeLessThan(200);
    expect(h.app.server.edge.refused).toBe(12);
    const collected = await reader.collect();
    const byName = new Map(collected.resourceMetrics.scopeMetrics.flatMap((m) => m.metrics).map((m) => [m.descriptor.name, m.dataPoints as DataPoint<number>[]]));
    expect(byName.get(METRICS.connectionsRefused)?.[0]?.value).toBe(12);
    expect(byName.get(METRICS.connectionsOpen)?.[0]?.value).toBe(MAX + RESERVE);

    const rss = process.memoryUsage().rss;
    // The whole attack (300 connections, 2,000 open streams) and both ends of it, in this one process.
    expect(rss - rssBefore).toBeLessThan(150 * 1024 * 1024);
    for (const x of [...silent, ...halfHeaders, ...filler, ...extra]) x.socket.destroy();
    for (const x of sessions) x.destroy();
    s.destroy();
    console.info(`edge attack: rss before ${(rssBefore / 2 ** 20).toFixed(0)} MiB, during ${(rss / 2 ** 20).toFixed(0)} MiB; health max ${maxOf(checks.map((c) => c.ms)).toFixed(1)} ms; refusals within ${maxOf(refusedMs).toFixed(1)} ms`);
  });
});

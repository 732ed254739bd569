/** Three gateway processes sharing one redis-server and one PostgreSQL ledger, as replicas behind a balancer would. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { startSimulator } from "../../src/sim/server.js";
import type { Simulator } from "../../src/sim/server.js";
import type { SimProfile } from "../../src/sim/profile.js";
import { startPostgres } from "./postgres-server.js";
import type { PostgresServer } from "./postgres-server.js";
import { startRedis } from "./redis-server.js";
import type { RedisServer } from "./redis-server.js";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import { spawnGateway } from "./process.js";
import type { GatewayProcess } from "./process.js";
import { keyedClient, testKey } from "./reload-config.js";
import type { TestKey } from "./reload-config.js";

/** The client keys every replica knows. */
export const KEYS = {
  admin: testKey(),
  /** rpm 60. */
  limited: testKey(),
  /** A small monthly budget. */
  budgeted: testKey(),
  /** No limit. */
  free: testKey(),
  /** rpm 6,000: never refused while the state is shared, its local share while Redis is away. */
  roomy: testKey(),
} as const satisfies Record<string, TestKey>;

/** The monthly budget of the budgeted key, US dollars. */
export const BUDGET_USD = 0.05;
/** m1's default max_tokens: a request's worst case is its prompt and these at $400 per million output tokens. */
const MAX_TOKENS = 50;
/** The most one short request to m1 may cost (up to 20 prompt tokens at $100 and MAX_TOKENS at $400 per million), US dollars. */
export const WORST_USD = (20 * 100 + MAX_TOKENS * 400) / 1e6;

/** Where the replicas' shared parts are. */
export interface ReplicaSetup {
  readonly dir: string;
  readonly redisUrl: string;
  readonly pgUrl: string;
  /** Base URLs of the simulated providers: `sim` (no limit), `capped` (its own rpm) and `gone` (down). */
  readonly simUrl: string;
  readonly cappedUrl: string;
  readonly goneUrl: string;
}

/** A running replica. */
export interface Replica {
  readonly index: number;
  proc: GatewayProcess;
  address: string;
}

/** The config of replica `i`: its own SQLite path (unused but for the spill journal beside it), shared state and ledger. */
export function replicaYaml(s: ReplicaSetup, i: number): string {
  const price = "pricing: { inputPerMTok: 100, outputPerMTok: 400 }";
  return [
    "listen: 127.0.0.1:0",
    "providers:",
    `  sim: { kind: openai, baseUrl: "${s.simUrl}", apiKey: "\${SIM_KEY}" }`,
    `  capped: { kind: openai, baseUrl: "${s.cappedUrl}", apiKey: "\${SIM_KEY}" }`,
    `  gone: { kind: openai, baseUrl: "${s.goneUrl}", apiKey: "\${SIM_KEY}" }`,
    "models:",
    `  m1: { provider: sim, upstreamModel: sim-m1, defaultMaxTokens: ${MAX_TOKENS}, ${price} }`,
    `  m-rpm: { provider: sim, upstreamModel: sim-rpm, rpm: 30, ${price} }`,
    `  m-capped: { provider: capped, upstreamModel: sim-capped, ${price} }`,
    `  m-gone: { provider: gone, upstreamModel: sim-gone, ${price} }`,
    "routes:",
    "  chain: { strategy: ordered, models: [m-gone, m1] }",
    // Breakers stay per process: a long cooldown, so the test counts what each replica pays to learn a provider is down.
    "breaker: { consecutiveFailures: 3, cooldownMs: 60000 }",
    // A request waits at most 200 ms for a deployment's limit to have room, then is refused (the tests count refusals).
    "failover: { maxWaitMs: 200 }",
    `ledger: { path: "${join(s.dir, `replica-${i}.db`)}", url: "${s.pgUrl}" }`,
    `state: { redis: "${s.redisUrl}" }`,
    "auth:",
    "  keys:",
    `    ops: { sha256: "${KEYS.admin.sha256}", role: admin }`,
    `    limited: { sha256: "${KEYS.limited.sha256}", rpm: 60 }`,
    `    budgeted: { sha256: "${KEYS.budgeted.sha256}", monthlyBudgetUsd: ${BUDGET_USD} }`,
    `    free: { sha256: "${KEYS.free.sha256}" }`,
    `    roomy: { sha256: "${KEYS.roomy.sha256}", rpm: 6000 }`,
    "",
  ].join("\n");
}

/** Starts replica `i` (writing its config first). */
export async function startReplica(s: ReplicaSetup, i: number): Promise<Replica> {
  const path = join(s.dir, `replica-${i}.yaml`);
  writeFileSync(path, replicaYaml(s, i));
  const proc = spawnGateway(["--config", path], { SIM_KEY: "sim-secret-key-1234", GATEWAY_WATCH_CONFIG: "false" });
  return { index: i, proc, address: await proc.address };
}

/** Starts replica `i` again in place of one that ended (the same config: it replays its spill journal first). */
export async function restartReplica(s: ReplicaSetup, r: Replica): Promise<void> {
  const next = await startReplica(s, r.index);
  r.proc = next.proc;
  r.address = next.address;
}

/** A call's answer: the request id, or the gRPC code and message it failed with. */
export type CallResult = { readonly ok: true; readonly requestId: string } | { readonly ok: false; readonly code: Code; readonly message: string };

/** One unary call with `key` to `model` on a replica. */
export async function callReplica(r: Replica, key: TestKey, model = "m1", text = "hello"): Promise<CallResult> {
  try {
    const res = await keyedClient(r.address, key.key).complete({ model, messages: [{ role: Role.USER, content: text }] });
    return { ok: true, requestId: res.requestId };
  } catch (err) {
    const e = ConnectError.from(err);
    return { ok: false, code: e.code, message: e.rawMessage };
  }
}

/** Stops every replica still running (SIGTERM, then waits). */
export async function stopReplicas(replicas: readonly Replica[]): Promise<void> {
  await Promise.all(
    replicas.map(async (r) => {
      if (r.proc.child.exitCode !== null || r.proc.child.signalCode !== null) return;
      r.proc.child.kill("SIGTERM");
      await r.proc.exited;
    }),
  );
}

/** Calls round-robin over the replicas, `concurrency` at a time, until `stop()` says so; every result in start order. */
export async function loadReplicas(replicas: readonly Replica[], key: TestKey, concurrency: number, stop: () => boolean, model = "m1"): Promise<CallResult[]> {
  const results: CallResult[] = [];
  let n = 0;
  const worker = async (): Promise<void> => {
    while (!stop()) {
      const r = replicas[n++ % replicas.length];
      if (!r) return;
      results.push(await callReplica(r, key, model, `load ${n}`));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

/** The request ids of `ids` that the shared PostgreSQL ledger holds. */
export async function inLedger(pgUrl: string, ids: readonly string[]): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    const res = await client.query<{ request_id: string }>("SELECT DISTINCT request_id FROM ledger WHERE request_id = ANY($1)", [ids]);
    return new Set(res.rows.map((r) => r.request_id));
  } finally {
    await client.end();
  }
}

/** What a suite of replica tests runs against: the simulator, Redis, PostgreSQL and three replicas. */
export interface ReplicaSuite {
  readonly sim: Simulator;
  readonly redis: RedisServer;
  readonly pg: PostgresServer;
  readonly setup: ReplicaSetup;
  readonly replicas: Replica[];
}

/**
 * Registers the suite's set-up and tear-down: a simulator (`sim`, `capped` and `gone` with the given profiles; `gone`
 * is always down), a redis-server, a PostgreSQL cluster and three replicas. The returned object is filled by beforeAll.
 */
export function replicaSuite(profiles: { readonly sim?: SimProfile; readonly capped?: SimProfile }): ReplicaSuite {
  const suite = { replicas: [] as Replica[] } as { -readonly [K in keyof ReplicaSuite]: ReplicaSuite[K] };
  let dir = "";
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "gw-replicas-"));
    const endpoints = { sim: { kind: "openai" as const, profile: profiles.sim ?? {} }, capped: { kind: "openai" as const, profile: profiles.capped ?? {} }, gone: { kind: "openai" as const, profile: { down: true } } };
    [suite.sim, suite.redis, suite.pg] = await Promise.all([startSimulator(endpoints), startRedis(), startPostgres()]);
    const { sim } = suite;
    suite.setup = { dir, redisUrl: suite.redis.url, pgUrl: suite.pg.url, simUrl: sim.baseUrl("sim"), cappedUrl: sim.baseUrl("capped"), goneUrl: sim.baseUrl("gone") };
    suite.replicas.push(...(await Promise.all([0, 1, 2].map((i) => startReplica(suite.setup, i)))));
  }, 60_000);
  afterAll(async () => {
    await stopReplicas(suite.replicas);
    await Promise.all([suite.sim?.close(), suite.redis?.close(), suite.pg?.close()]);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);
  return suite;
}

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import type { RedisState } from "../../src/gateway/shared/redis/redis-state.js";
import { startRedis } from "../helpers/redis-server.js";
import type { RedisServer } from "../helpers/redis-server.js";
import { clientKey, replicas, sleep } from "./kit.js";
import { hasSharedServices } from "../helpers/tools.js";

let server: RedisServer;
let admin: Redis;
let states: RedisState[] = [];

beforeAll(async () => {
  server = await startRedis();
  admin = new Redis(server.url);
  states = (await replicas(3, server.url)).states;
});

afterAll(async () => {
  await Promise.all(states.map((s) => s.close()));
  admin.disconnect();
  await server.close();
});

beforeEach(async () => {
  await admin.eval("for _, k in ipairs(redis.call('KEYS', 'llmgw:key:*')) do redis.call('DEL', k) end return 0", 0);
});

const take = async (state: RedisState | undefined, ...args: Parameters<RedisState["keys"]["take"]>) => {
  if (!state) throw new Error("no state");
  return state.keys.take(...args);
};

describe.skipIf(!hasSharedServices())("key limits shared in Redis by three replicas", () => {
  it("lets exactly 60 requests of a key with rpm 60 through across the three, not 180, then refills at one a second", async () => {
    const key = clientKey("rpm60", 60);
    let passed = 0;
    const refusals = [];
    for (let i = 0; i < 90; i++) {
      const refusal = await take(states[i % 3], key, 0, 0);
      if (refusal) refusals.push(refusal);
      else passed++;
    }
    expect(passed).toBe(60);
    expect(refusals[0]).toMatchObject({ limit: "requests", capacity: 60 });
    expect(refusals[0]?.retryInMs).toBeGreaterThan(0);
    expect(refusals[0]?.retryInMs).toBeLessThanOrEqual(1_000);
    await sleep(1_100);
    const after = await Promise.all(states.map((s) => s.keys.take(key, 0, 0)));
    expect(after.filter((r) => r === undefined)).toHaveLength(1);
  });

  it("takes both limits or neither: a refusal by tokens does not spend a request", async () => {
    const key = clientKey("both", 2, 100);
    expect(await take(states[0], key, 80, 0)).toBeUndefined();
    expect(await take(states[1], key, 50, 0)).toMatchObject({ limit: "tokens", capacity: 100 });
    expect(await take(states[2], key, 0, 0)).toBeUndefined();
    expect(await take(states[0], key, 0, 0)).toMatchObject({ limit: "requests", capacity: 2 });
  });

  it("settles tokens both ways across replicas, and gives nothing back for a cut stream", async () => {
    const key = clientKey("tpm", 1_000, 100);
    expect(await take(states[0], key, 60, 0)).toBeUndefined();
    expect(await take(states[1], key, 60, 0)).toMatchObject({ limit: "tokens" });
    states[0]?.keys.settle(key, 60, 20, false, 0); // 40 given back: 80 left
    await sleep(50);
    expect(await take(states[1], key, 60, 0)).toBeUndefined(); // 20 left
    states[1]?.keys.settle(key, 60, 90, false, 0); // 30 more used: -10
    await sleep(50);
    expect(await take(states[2], key, 1, 0)).toMatchObject({ limit: "tokens" });
    states[2]?.keys.settle(key, 60, 0, true, 0); // unknown usage: nothing given back
    await sleep(50);
    expect(await take(states[0], key, 1, 0)).toMatchObject({ limit: "tokens" });
  });

  it("starts a key whose limits changed on fresh buckets of the new size", async () => {
    expect(await take(states[0], clientKey("reload", 1), 0, 0)).toBeUndefined();
    expect(await take(states[1], clientKey("reload", 1), 0, 0)).toMatchObject({ limit: "requests" });
    for (let i = 0; i < 3; i++) expect(await take(states[i], clientKey("reload", 3), 0, 0)).toBeUndefined();
    expect(await take(states[0], clientKey("reload", 3), 0, 0)).toMatchObject({ capacity: 3 });
  });

  it("answers at once, without Redis, for a key without limits", () => {
    expect(states[0]?.keys.take(clientKey("free", undefined), 10, 0)).toBeUndefined();
  });

  it("lets idle buckets expire", async () => {
    expect(await take(states[0], clientKey("idle", 60), 0, 0)).toBeUndefined();
    const ttl = await admin.pttl("llmgw:key:idle");
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3_000);
  });
});

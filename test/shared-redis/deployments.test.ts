import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import type { DeploymentNews, DeploymentShare } from "../../src/gateway/shared/shared-state.js";
import type { RedisState } from "../../src/gateway/shared/redis/redis-state.js";
import { startRedis } from "../helpers/redis-server.js";
import type { RedisServer } from "../helpers/redis-server.js";
import { model, replicas, sleep, waitFor } from "./kit.js";
import { hasSharedServices } from "../helpers/tools.js";

let server: RedisServer;
let states: RedisState[] = [];
const heard: { model: string; news: DeploymentNews }[][] = [[], [], []];

beforeAll(async () => {
  server = await startRedis();
  states = (await replicas(3, server.url)).states;
  states.forEach((s, i) => s.deployments?.subscribe((m, news) => heard[i]?.push({ model: m, news })));
  const admin = new Redis(server.url);
  const subscribers = async (): Promise<number> => Number(((await admin.pubsub("NUMSUB", "llmgw:deployment-news")) as unknown[])[1]);
  for (let i = 0; i < 100 && (await subscribers()) < 3; i++) await sleep(20);
  admin.disconnect();
});

afterAll(async () => {
  await Promise.all(states.map((s) => s.close()));
  await server.close();
});

const share = (i: number): DeploymentShare => {
  const d = states[i]?.deployments;
  if (!d) throw new Error("no deployments");
  return d;
};

describe.skipIf(!hasSharedServices())("deployment limits and cooldowns shared in Redis", () => {
  it("shares a deployment's rpm across replicas", async () => {
    const m = model("rpm3", 3);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await share(i % 3).take(m, 10));
    expect(answers.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(answers[3]).toMatchObject({ reason: "rpm" });
    expect(answers[3]?.retryInMs).toBeLessThanOrEqual(20_000);
  });

  it("shares the tpm bucket and settles it with the real usage", async () => {
    const m = model("tpm", undefined, 100);
    expect(await share(0).take(m, 70)).toBeUndefined();
    expect(await share(1).take(m, 70)).toMatchObject({ reason: "tpm" });
    share(0).settle(m, 70, 20);
    await sleep(50);
    expect(await share(1).take(m, 70)).toBeUndefined();
  });

  it("blocks every replica on a provider's 'nothing remaining' until the reset, and tells the others", async () => {
    const m = model("hinted", 1_000);
    share(0).hint(m, { remainingRequests: 0, resetMs: 400 });
    await waitFor(() => heard[1]?.some((h) => h.model === "hinted") === true && heard[2]?.some((h) => h.model === "hinted") === true, 2_000);
    expect(heard[1]?.find((h) => h.model === "hinted")?.news).toEqual({ kind: "hint", hint: { remainingRequests: 0, resetMs: 400 } });
    const refusal = await share(1).take(m, 1);
    expect(refusal).toMatchObject({ reason: "rpm" });
    expect(refusal?.retryInMs).toBeLessThanOrEqual(400);
    await sleep(450);
    expect(await share(2).take(m, 1)).toBeUndefined();
    expect(heard[0]?.some((h) => h.model === "hinted")).toBe(false); // its own news is not echoed
  });

  it("clamps the shared bucket to what the provider says remains, without publishing", async () => {
    const m = model("clamped", undefined, 1_000);
    share(0).hint(m, { remainingTokens: 10 });
    await sleep(50);
    expect(await share(1).take(m, 50)).toMatchObject({ reason: "tpm" });
    expect(await share(2).take(m, 10)).toBeUndefined();
    expect(heard.flat().some((h) => h.model === "clamped")).toBe(false);
  });

  it("shares a 429 cooldown: a limited deployment is refused, every other replica hears it", async () => {
    const limited = model("cool", 1_000);
    share(2).cooldown(limited, 300);
    await waitFor(() => heard[0]?.some((h) => h.model === "cool") === true && heard[1]?.some((h) => h.model === "cool") === true, 2_000);
    expect(heard[0]?.find((h) => h.model === "cool")?.news).toEqual({ kind: "cooldown", ms: 300 });
    expect(await share(0).take(limited, 1)).toMatchObject({ reason: "cooling_down" });
    await sleep(350);
    expect(await share(1).take(limited, 1)).toBeUndefined();
    expect(heard[2]?.some((h) => h.model === "cool")).toBe(false);
  });

  it("needs no round trip for a deployment without configured limits: its news comes by the channel", async () => {
    const free = model("free", undefined);
    share(1).cooldown(free, 200);
    share(1).hint(free, { remainingTokens: 0 });
    await waitFor(() => (heard[0]?.filter((h) => h.model === "free").length ?? 0) >= 2, 2_000);
    expect(heard[0]?.filter((h) => h.model === "free").map((h) => h.news.kind)).toEqual(["cooldown", "hint"]);
    expect(await share(0).take(free, 1)).toBeUndefined();
  });

  it("stops delivering to a listener that unsubscribed", async () => {
    const got: string[] = [];
    const off = share(0).subscribe((m) => got.push(m));
    share(1).cooldown(model("once", undefined), 1);
    await waitFor(() => got.includes("once"), 2_000);
    off();
    share(1).cooldown(model("twice", undefined), 1);
    await waitFor(() => heard[0]?.some((h) => h.model === "twice") === true, 2_000);
    expect(got).toEqual(["once"]);
  });
});

/**
 * A key's monthly budget under concurrency: requests reserve their worst-case cost at admission, so 50 streams at
 * once cannot spend past the budget by more than the worst case of the last one admitted.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import type { Money } from "../../gen/llmgateway/v1/types_pb.js";
import { keyHash, newClientKey } from "../../src/cli/keys.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

const KEY = newClientKey();
const PICOS = 1_000_000_000_000n;
/** $1 per million input tokens, $1,000 per million output tokens: one output token costs $0.001. */
const pricing = { inputPerMTok: 1, outputPerMTok: 1000 };
/** Budget $0.05; a request ("hi", max_tokens 20) costs $0.012001 (1 in, 12 out) and at worst $0.020001. */
const BUDGET = 50_000_000_000n;
const WORST = 1n * 1_000_000n + 20n * 1_000_000_000n;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    endpoints: { sim: { kind: "openai", profile: { chunkDelayMs: 20 } } },
    config: { models: { m: { provider: "sim", pricing } }, auth: { keys: { tenant: { sha256: keyHash(KEY), monthlyBudgetUsd: 0.05 } } } },
  });
});
afterAll(() => h.close());

const auth = { headers: { authorization: `Bearer ${KEY}` } };
const request = { model: "m", maxTokens: 20, messages: [{ role: Role.USER, content: "hi" }] };
const picos = (m: Money | undefined): bigint => (m ? m.units * PICOS + m.picoUnits : 0n);

async function stream(): Promise<"ok" | Code> {
  try {
    for await (const _ of h.grpc.streamComplete({ request }, auth));
    return "ok";
  } catch (err) {
    return ConnectError.from(err).code;
  }
}

async function spent(): Promise<bigint> {
  const report = await h.grpc.getCostReport({}, auth);
  return picos(report.total?.cost);
}

describe("budget reservations", () => {
  it("holds 50 concurrent streams to the budget plus one worst case, then refuses with RESOURCE_EXHAUSTED", async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => stream()));
    const served = results.filter((r) => r === "ok").length;
    // Without reservations every stream is admitted (50 x $0.012 = 12 times the budget).
    expect(served).toBeGreaterThan(0);
    expect(served).toBeLessThan(50);
    expect(results.filter((r) => r !== "ok").every((r) => r === Code.ResourceExhausted)).toBe(true);
    expect(await spent()).toBeLessThanOrEqual(BUDGET + WORST);

    // One at a time, until the budget refuses: the spend still stays within the bound.
    let last: "ok" | Code = "ok";
    for (let i = 0; i < 10 && last === "ok"; i++) last = await stream();
    expect(last).toBe(Code.ResourceExhausted);
    const total = await spent();
    expect(total).toBeGreaterThanOrEqual(BUDGET);
    expect(total).toBeLessThanOrEqual(BUDGET + WORST);
  });
});

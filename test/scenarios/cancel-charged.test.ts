/**
 * Streams a client cancels after most of the answer still cost what the provider generated: the gateway bills an
 * estimate (flagged) and counts it against the key's budget, so cancelling is no way around a budget.
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
/** One output token costs $0.001; 19 streamed tokens $0.019. */
const pricing = { inputPerMTok: 1, outputPerMTok: 1000 };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    endpoints: { sim: { kind: "openai", profile: { answerWords: 20, chunkDelayMs: 2 } } },
    config: { models: { m: { provider: "sim", pricing } }, auth: { keys: { tenant: { sha256: keyHash(KEY), monthlyBudgetUsd: 0.1 } } } },
  });
});
afterAll(() => h.close());

const auth = { headers: { authorization: `Bearer ${KEY}` } };
const request = { model: "m", maxTokens: 20, messages: [{ role: Role.USER, content: "hi" }] };
const picos = (m: Money | undefined): bigint => (m ? m.units * PICOS + m.picoUnits : 0n);

/** Reads 19 of the 20 deltas, then cancels; "refused" when the budget refused the stream. */
async function cancelAfter19(): Promise<"cancelled" | "refused"> {
  const abort = new AbortController();
  let deltas = 0;
  try {
    for await (const m of h.grpc.streamComplete({ request }, { ...auth, signal: abort.signal })) {
      if (m.event.case === "delta" && ++deltas === 19) abort.abort();
    }
    throw new Error("the stream ended without the cancel");
  } catch (err) {
    const code = ConnectError.from(err).code;
    if (code === Code.ResourceExhausted) return "refused";
    expect(code).toBe(Code.Canceled);
    expect(deltas).toBe(19);
    return "cancelled";
  }
}

describe("cancelled streams", () => {
  it("are billed what the client was sent, and spend the budget like any other", async () => {
    let cancelled = 0;
    let refused = false;
    for (let i = 0; i < 12 && !refused; i++) {
      if ((await cancelAfter19()) === "cancelled") cancelled++;
      else refused = true;
      // Let the cancelled request's rows land before the next one is admitted.
      await new Promise((r) => setTimeout(r, 50));
    }
    // $0.1 buys five such streams ($0.019 each); without the estimate all twelve are free and none is refused.
    expect(refused).toBe(true);
    expect(cancelled).toBeGreaterThanOrEqual(5);
    expect(cancelled).toBeLessThanOrEqual(6);
    const report = await h.grpc.getCostReport({}, auth);
    const cost = picos(report.total?.cost);
    // Every cancelled stream's cost is an estimate, and the report says so apart from reported cost.
    expect(report.total?.estimatedUsageAttempts).toBe(BigInt(cancelled));
    expect(picos(report.total?.estimatedCost)).toBeGreaterThanOrEqual(BigInt(cancelled) * 19n * 1_000_000_000n);
    expect(cost).toBeGreaterThanOrEqual(BigInt(cancelled) * 19n * 1_000_000_000n);
    expect(cost).toBeLessThanOrEqual(100_000_000_000n + 20n * 1_000_000_000n + 1_000_000n);
  });
});

/**
 * A provider whose usage counts cannot be trusted: 1e12 output tokens would have billed $8,000,000 and locked a
 * $1,000 key out for the month; 1e30 made the answer unencodable. Such counts are billed at a bound and flagged.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role, UsageBasis } from "../../gen/llmgateway/v1/types_pb.js";
import type { Money } from "../../gen/llmgateway/v1/types_pb.js";
import { keyHash, newClientKey } from "../../src/cli/keys.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

const KEY = newClientKey();
const PICOS = 1_000_000_000_000n;
const pricing = { inputPerMTok: 2, outputPerMTok: 8 };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    endpoints: { huge: { kind: "openai", profile: { reportOutputTokens: 1e12 } }, absurd: { kind: "anthropic", profile: { reportOutputTokens: 1e30 } } },
    config: {
      models: { huge: { provider: "huge", pricing }, absurd: { provider: "absurd", pricing } },
      auth: { keys: { tenant: { sha256: keyHash(KEY), monthlyBudgetUsd: 1000 } } },
    },
  });
});
afterAll(() => h.close());

const auth = { headers: { authorization: `Bearer ${KEY}` } };
const ask = (model: string) => ({ model, maxTokens: 100, messages: [{ role: Role.USER, content: "hi" }] });
const picos = (m: Money | undefined): bigint => (m ? m.units * PICOS + m.picoUnits : 0n);
/** The bound of 100 max_tokens: 25% margin and 64 tokens of slack. */
const OUTPUT_BOUND = 189n;

describe("implausible usage reports", () => {
  it("bills them at the bound, flagged, over gRPC and Connect, unary and streamed; the key keeps its budget", async () => {
    for (const client of [h.grpc, h.connect]) {
      for (const model of ["huge", "absurd"]) {
        const res = await client.complete(ask(model), auth);
        expect(res.text.length).toBeGreaterThan(0);
        expect(res.attempts[0]?.usageBasis).toBe(UsageBasis.BOUNDED);
        expect(res.usage?.outputTokens).toBe(OUTPUT_BOUND);
        expect(picos(res.cost)).toBeLessThan(PICOS / 100n);
        let summary = false;
        for await (const m of client.streamComplete({ request: ask(model) }, auth)) {
          if (m.event.case !== "summary") continue;
          summary = true;
          expect(m.event.value.attempts[0]?.usageBasis).toBe(UsageBasis.BOUNDED);
          expect(m.event.value.usage?.outputTokens).toBe(OUTPUT_BOUND);
        }
        expect(summary).toBe(true);
      }
    }
    const report = await h.grpc.getCostReport({}, auth);
    expect(report.total?.boundedUsageAttempts).toBe(8n);
    expect(picos(report.total?.cost)).toBeLessThan(PICOS);
    // Still within budget: the next request is served.
    expect((await h.grpc.complete(ask("huge"), auth)).text.length).toBeGreaterThan(0);
  });
});

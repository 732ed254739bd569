/** Client keys at the edge: who may call, which models, how fast; health and reflection stay open. */
import { Code, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import { keyHash, newClientKey } from "../../src/cli/keys.js";
import { rejection } from "../helpers/expect-error.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

const USER = newClientKey();
const LIMITED = newClientKey();
const ADMIN = newClientKey();
let h: Harness;

beforeAll(async () => {
  const pricing = { inputPerMTok: 1, outputPerMTok: 1 };
  h = await startHarness({
    endpoints: { sim: { kind: "openai" }, down: { kind: "openai", profile: { errorRate: 1 } } },
    config: {
      models: { cheap: { provider: "sim", pricing }, premium: { provider: "sim", pricing }, flaky: { provider: "down", pricing, fallbacks: ["premium"] } },
      routes: { auto: { models: ["cheap", "premium"] } },
      auth: {
        keys: {
          search: { sha256: keyHash(USER), allow: ["cheap", "auto", "flaky"], tags: { team: "search" } },
          batch: { sha256: keyHash(LIMITED), rpm: 2 },
          ops: { sha256: keyHash(ADMIN), role: "admin" },
        },
      },
    },
  });
});
afterAll(() => h.close());

const ask = (model: string) => ({ model, messages: [{ role: Role.USER, content: "hi" }] });
const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

describe("client keys", () => {
  it("refuses a call without a key, or with a wrong one, as UNAUTHENTICATED", async () => {
    const missing = await rejection(h.grpc.complete(ask("cheap")));
    expect(missing.code).toBe(Code.Unauthenticated);
    expect(missing.rawMessage).toContain("authorization: Bearer");
    const wrong = await rejection(h.grpc.complete(ask("cheap"), bearer(newClientKey())));
    expect(wrong.code).toBe(Code.Unauthenticated);
    const streamed = await rejection(
      (async () => {
        for await (const _ of h.connect.streamComplete({ request: ask("cheap") })) void _;
      })(),
    );
    expect(streamed.code).toBe(Code.Unauthenticated);
  });

  it("serves a valid key on the models it may use", async () => {
    expect((await h.grpc.complete(ask("cheap"), bearer(USER))).model).toBe("cheap");
    expect((await h.connect.complete(ask("premium"), bearer(ADMIN))).model).toBe("premium");
  });

  it("answers PERMISSION_DENIED for a model the key may not use", async () => {
    const err = await rejection(h.grpc.complete(ask("premium"), bearer(USER)));
    expect(err.code).toBe(Code.PermissionDenied);
    expect(err.rawMessage).toBe('client key search may not use "premium"; it may use: cheap, auto, flaky');
  });

  it("lists only what the key may use when the model is unknown", async () => {
    const err = await rejection(h.grpc.complete(ask("gpt-9"), bearer(USER)));
    expect(err.code).toBe(Code.NotFound);
    expect(err.rawMessage).toBe('unknown model or route "gpt-9"; models: cheap, flaky; routes: auto');
  });

  it("never fails over to a model outside the key's allow-list", async () => {
    const before = h.sim.tally("sim").requests;
    const err = await rejection(h.grpc.complete(ask("flaky"), bearer(USER)));
    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).not.toContain("premium");
    expect(h.sim.tally("sim").requests).toBe(before);
    // An admin key may use the fallback.
    expect((await h.grpc.complete(ask("flaky"), bearer(ADMIN))).model).toBe("premium");
  });

  it("puts the key's tags over the request's, so a client cannot re-attribute its spend", async () => {
    await h.grpc.complete({ ...ask("cheap"), tags: { team: "ads" } }, bearer(USER));
    const report = await h.grpc.getCostReport({ tags: { team: "ads" } }, bearer(ADMIN));
    expect(report.total?.requests ?? 0n).toBe(0n);
    const own = await h.grpc.getCostReport({ tags: { team: "search" } }, bearer(USER));
    expect(own.total?.requests ?? 0n).toBeGreaterThan(0n);
  });

  it("shows a user key only its own usage", async () => {
    const mine = await h.grpc.getCostReport({}, bearer(USER));
    const all = await h.grpc.getCostReport({}, bearer(ADMIN));
    expect(all.total?.requests ?? 0n).toBeGreaterThan(mine.total?.requests ?? 0n);
    const forced = await h.grpc.getCostReport({ clientKeys: ["ops"] }, bearer(USER));
    expect(forced.total?.requests).toBe(mine.total?.requests);
  });

  it("answers RESOURCE_EXHAUSTED with when to retry once the key's RPM is spent", async () => {
    await h.grpc.complete(ask("cheap"), bearer(LIMITED));
    await h.grpc.complete(ask("cheap"), bearer(LIMITED));
    const err = await rejection(h.grpc.complete(ask("cheap"), bearer(LIMITED)));
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.rawMessage).toMatch(/^client key batch is over its limit of 2 requests per minute; retry in \d+ s$/);
  });

  it("counts cost reports against the key's requests per minute", async () => {
    const reporter = await startHarness({ endpoints: { sim: { kind: "openai" } }, config: { models: { cheap: { provider: "sim", pricing: { inputPerMTok: 1, outputPerMTok: 2 } } }, auth: { keys: { batch: { sha256: keyHash(LIMITED), rpm: 2 } } } } });
    try {
      await reporter.grpc.getCostReport({}, bearer(LIMITED));
      await reporter.grpc.complete(ask("cheap"), bearer(LIMITED));
      const err = await rejection(reporter.grpc.getCostReport({}, bearer(LIMITED)));
      expect(err.code).toBe(Code.ResourceExhausted);
      expect(err.rawMessage).toMatch(/^client key batch is over its limit of 2 requests per minute; retry in \d+ s$/);
    } finally {
      await reporter.close();
    }
  });

  it("settles a key's TPM with the tokens used: what max_tokens reserved and the answer did not use comes back", async () => {
    const tpm = await startHarness({ endpoints: { sim: { kind: "openai" } }, config: { models: { cheap: { provider: "sim", pricing: { inputPerMTok: 1, outputPerMTok: 2 } } }, auth: { keys: { batch: { sha256: keyHash(LIMITED), tpm: 1000 } } } } });
    try {
      // Each call reserves its input plus 900 tokens of max_tokens and uses about 20: without settling, the
      // second call would find fewer than 100 tokens left.
      const big = { ...ask("cheap"), maxTokens: 900 };
      for (let i = 0; i < 5; i++) await tpm.grpc.complete(big, bearer(LIMITED));
      const err = await rejection(tpm.grpc.complete({ ...ask("cheap"), maxTokens: 2000 }, bearer(LIMITED)));
      expect(err.code).toBe(Code.ResourceExhausted);
      expect(err.rawMessage).toMatch(/over its limit of 1000 tokens per minute/);
    } finally {
      await tpm.close();
    }
  });

  it("keeps health open without a key", async () => {
    const health = createClient(Health, createGrpcTransport({ baseUrl: `http://${h.address}` }));
    expect((await health.check({ service: "" })).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });
});

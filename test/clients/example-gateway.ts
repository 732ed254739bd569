/** A live gateway for the per-language client examples, and the checks every example's output must pass. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Role } from "../../gen/llmgateway/v1/types_pb.js";
import { ErrorKind } from "../../gen/llmgateway/v1/types_pb.js";
import { keyHash, newClientKey } from "../../src/cli/keys.js";
import { attemptsOf } from "../helpers/attempt-details.js";
import { rejection } from "../helpers/expect-error.js";
import { startHarness } from "../helpers/harness.js";
import type { Harness } from "../helpers/harness.js";

/**
 * A gateway with client keys, a working model "m1" and a model "down" whose provider always fails, slowly. Its
 * default deadline (for calls that set none) is too short for every attempt at "down", so an example that shows all
 * of them sent its own, longer deadline.
 */
export interface ExampleGateway {
  readonly h: Harness;
  /** The client key the example sends. */
  readonly key: string;
  /** The environment the examples read their settings from. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

const SLOW_FAILURE_MS = 100;
const DEFAULT_DEADLINE_MS = 300;

/** Starts the gateway the examples call. */
export async function startExampleGateway(): Promise<ExampleGateway> {
  const key = newClientKey();
  const pricing = { inputPerMTok: 1, outputPerMTok: 2 };
  const h = await startHarness({
    endpoints: { sim: { kind: "openai" }, broken: { kind: "openai", profile: { errorRate: 1, latencyMs: SLOW_FAILURE_MS } } },
    config: {
      models: { m1: { provider: "sim", pricing }, down: { provider: "broken", pricing } },
      failover: { deadlineMs: DEFAULT_DEADLINE_MS, backoffBaseMs: 10, backoffMaxMs: 20 },
      auth: { keys: { example: { sha256: keyHash(key) } } },
    },
  });
  const env = { LLMGATEWAY_ADDRESS: h.address, LLMGATEWAY_KEY: key, LLMGATEWAY_MODEL: "m1", LLMGATEWAY_FAILING_MODEL: "down" };
  return { h, key, env, close: () => h.close() };
}

/** Runs an example (asynchronously: the gateway serves from this process) and parses its key=value lines. */
export async function runExample(file: string, args: readonly string[], env: Record<string, string>, cwd = "."): Promise<Map<string, string[]>> {
  const { stdout } = await promisify(execFile)(file, args, { cwd, encoding: "utf8", timeout: 40_000, env: { ...process.env, ...env } });
  const out = new Map<string, string[]>();
  for (const line of stdout.split("\n")) {
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const k = line.slice(0, eq);
    out.set(k, [...(out.get(k) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

/** A decimal amount of money ("0.000017") in pico-units, exactly. */
export function pico(decimal: string): bigint {
  const [whole = "0", frac = ""] = decimal.split(".");
  return BigInt(whole) * 10n ** 12n + BigInt(frac.padEnd(12, "0"));
}

/** Checks an example's output against what the gateway answers the test for the same calls. */
export async function checkExampleOutput(gw: ExampleGateway, out: Map<string, string[]>): Promise<void> {
  const one = (k: string): string => {
    const v = out.get(k);
    expect(v, `${k} printed once`).toHaveLength(1);
    return v?.[0] ?? "";
  };
  const auth = { headers: { authorization: `Bearer ${gw.key}` } };
  // The simulator answers deterministically: the test's own call gives the text the example must have seen.
  const mine = await gw.h.grpc.complete({ model: "m1", messages: [{ role: Role.USER, content: "Hello" }], maxTokens: 6 }, auth);
  expect(one("unary.text")).toBe(mine.text);
  expect(one("unary.finish")).toBe("FINISH_REASON_LENGTH");
  expect(one("unary.output_tokens")).toBe("6");
  expect(one("stream.text")).toBe(mine.text);
  expect(one("stream.deltas")).toBe("6");
  expect(one("stream.finish")).toBe("FINISH_REASON_LENGTH");
  expect(one("tool.finish")).toBe("FINISH_REASON_TOOL_CALLS");
  expect(one("tool.name")).toBe("get_weather");
  expect(JSON.parse(one("tool.arguments"))).toEqual({ city: "Paris" });

  const down = { model: "down", messages: [{ role: Role.USER, content: "hi" }] };
  const failed = await rejection(gw.h.grpc.complete(down, { ...auth, timeoutMs: 10_000 }));
  const attempts = attemptsOf(failed);
  expect(failed.code).toBe(Code.Unavailable);
  // Without a deadline of its own a caller gets fewer attempts (the gateway's short default): the same count in the
  // example's output shows that it sent one.
  const hurried = await rejection(gw.h.grpc.complete(down, auth));
  expect(attemptsOf(hurried).length).toBeLessThan(attempts.length);
  expect(one("error.code").toUpperCase().replace(/_/g, "")).toBe("UNAVAILABLE");
  const noTimes = (m: string) => m.replace(/\(\d+ ms\)/g, "(? ms)");
  expect(noTimes(one("error.message"))).toBe(noTimes(failed.rawMessage));
  expect(one("error.attempts")).toBe(String(attempts.length));
  expect(one("error.kinds")).toBe(attempts.map((a) => `ERROR_KIND_${ErrorKind[a.errorKind]}`).join(","));

  // The report the example read covers its own calls: three served and one failed, and their costs add up.
  const spent = ["unary.cost", "stream.cost", "tool.cost"].reduce((sum, k) => sum + pico(one(k)), 0n);
  expect(one("report.requests")).toBe("4");
  expect(one("report.failures")).toBe("1");
  expect(pico(one("report.cost"))).toBe(spent + failedCost(attempts));
  // The tokens it reports are the gateway's own account of those calls.
  const now = (await gw.h.grpc.getCostReport({}, auth)).total;
  expect(BigInt(one("report.output_tokens"))).toBe((now?.outputTokens ?? 0n) - (mine.usage?.outputTokens ?? 0n));
}

/** What the failed attempts cost (the gateway bills failed attempts that reported usage). */
function failedCost(attempts: ReturnType<typeof attemptsOf>): bigint {
  return attempts.reduce((sum, a) => sum + (a.cost ? a.cost.units * 10n ** 12n + a.cost.picoUnits : 0n), 0n);
}

/** One language's example: whether its toolchain is here, how to build it once, and the command that runs it. */
export interface ExampleSpec {
  readonly name: string;
  readonly available: boolean;
  /** Compiles the example (once, before the gateway starts); nothing for interpreted languages. */
  readonly build?: () => Promise<void>;
  /** The program and arguments that run the built example. */
  readonly command: () => readonly [string, readonly string[]];
  /** Removes what the build made. */
  readonly cleanup?: () => void;
}

/** The suite every language's example runs: build it, start a gateway, run it and check what it printed. */
export function describeExample(spec: ExampleSpec): void {
  describe.skipIf(!spec.available)(`${spec.name} client example`, () => {
    let gw: ExampleGateway | undefined;
    beforeAll(async () => {
      await spec.build?.();
      gw = await startExampleGateway();
    }, 60_000);
    afterAll(async () => {
      await gw?.close();
      spec.cleanup?.();
    });

    it("makes unary, streamed and tool calls, decodes AttemptFailures and reads the cost report", async () => {
      if (!gw) throw new Error("no gateway");
      const [file, args] = spec.command();
      await checkExampleOutput(gw, await runExample(file, args, gw.env));
    });
  });
}

/** Builds a Gateway over fake adapters with a fake clock (vitest fake timers) for unit tests. */
import { vi } from "vitest";
import { validateConfig } from "../../src/config/validate.js";
import type { GatewayConfig } from "../../src/config/schema.js";
import type { Clock, Random } from "../../src/gateway/clock.js";
import { Gateway } from "../../src/gateway/gateway.js";
import { Scope } from "../../src/gateway/scope.js";
import { GatewayError } from "../../src/gateway/types.js";
import type { CallContext, CompletionOutcome, GatewayRequest } from "../../src/gateway/types.js";
import type { ProviderAdapter } from "../../src/providers/adapter.js";
import { FakeAdapter } from "./fake-adapter.js";
import type { Step } from "./fake-adapter.js";

/** A clock that reads vitest's faked Date (advance it with vi.advanceTimersByTimeAsync). */
export const fakeClock: Clock = { now: () => Date.now(), monotonic: () => Date.now() };

/** A deterministic random source cycling through `values`. */
export function cycle(...values: number[]): Random {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

/** A config with one provider per model (provider "p-<model>"), plus the given extra fields. */
export function configFor(models: Record<string, Record<string, unknown>>, extra: Record<string, unknown> = {}): GatewayConfig {
  const providers: Record<string, unknown> = {};
  const full: Record<string, unknown> = {};
  for (const [name, fields] of Object.entries(models)) {
    const provider = `p-${name}`;
    providers[provider] = { kind: "openai", baseUrl: "http://127.0.0.1:9" };
    full[name] = { provider, pricing: { inputPerMTok: 1, outputPerMTok: 2 }, ...fields };
  }
  return validateConfig({ providers, models: full, ledger: { path: ":memory:" }, auth: { enabled: false }, ...extra });
}

/** A gateway plus its fake adapters by model name. */
export interface Fixture {
  readonly gateway: Gateway;
  readonly fakes: Record<string, FakeAdapter>;
}

/** Builds a gateway whose model `m` is served by a FakeAdapter following `scripts[m]`. */
export function fixture(config: GatewayConfig, scripts: Record<string, Step | ((i: number) => Step)>, random: Random = cycle(0.5)): Fixture {
  const fakes: Record<string, FakeAdapter> = {};
  const adapters = new Map<string, ProviderAdapter>();
  for (const m of config.models.values()) {
    const fake = new FakeAdapter(m.provider, scripts[m.name] ?? { ok: "hello" });
    fakes[m.name] = fake;
    adapters.set(m.provider, fake);
  }
  return { gateway: new Gateway({ config, adapters, clock: fakeClock, random }), fakes };
}

/** A request for `target`. */
export function request(target: string, content = "hello there", extra: Partial<GatewayRequest> = {}): GatewayRequest {
  return { target, chat: { messages: [{ role: "user", content }], params: {} }, complexity: undefined, tags: {}, requestId: "req-1", ...extra };
}

/** A call context as the edge makes it: a scope following `signal`, with the client's `deadline` (fake clock ms) armed when given. */
export function context(deadline?: number, signal: AbortSignal = new AbortController().signal): CallContext {
  const scope = new Scope(signal);
  if (deadline !== undefined) scope.setDeadline(deadline - fakeClock.now(), fakeClock.now());
  return { scope, principal: undefined };
}

/** Settles a promise while fake time runs `ms`; returns the value or the GatewayError it threw. */
export async function settle<T>(p: Promise<T>, ms = 10_000): Promise<T | GatewayError> {
  const caught = p.catch((e: unknown) => {
    if (e instanceof GatewayError) return e;
    throw e;
  });
  await vi.advanceTimersByTimeAsync(ms);
  return caught;
}

/** The outcome of a settled request; fails the test when it failed. */
export function served(r: CompletionOutcome | GatewayError): CompletionOutcome {
  if (r instanceof GatewayError) throw new Error(`failed: ${r.message}`);
  return r;
}

/** The error of a settled request; fails the test when it was served. */
export function failed(r: CompletionOutcome | GatewayError): GatewayError {
  if (!(r instanceof GatewayError)) throw new Error(`served by ${r.model}`);
  return r;
}

/** What a stream gave: its text deltas, and its summary or its error. */
export interface StreamRead {
  readonly deltas: string[];
  readonly outcome: CompletionOutcome | undefined;
  readonly error: GatewayError | undefined;
}

/** Reads a whole stream while fake time runs `ms`. */
export async function readStream(gateway: Gateway, req: GatewayRequest = request("r"), ms = 10_000): Promise<StreamRead> {
  const deltas: string[] = [];
  let outcome: CompletionOutcome | undefined;
  const done = (async (): Promise<GatewayError | undefined> => {
    try {
      for await (const ev of gateway.stream(req, context())) {
        if (ev.type === "delta") deltas.push(ev.text);
        else if (ev.type === "done") outcome = ev.outcome;
      }
      return undefined;
    } catch (e) {
      if (e instanceof GatewayError) return e;
      throw e;
    }
  })();
  await vi.advanceTimersByTimeAsync(ms);
  return { deltas, outcome, error: await done };
}

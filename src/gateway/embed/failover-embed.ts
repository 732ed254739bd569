/** An embeddings request through the shared failover loop: the first attempt to answer wins; every attempt is accounted. */
import { ProviderError } from "../../providers/errors.js";
import type { EmbedResult } from "../../providers/embed-types.js";
import type { AttemptRun } from "../attempts/attempt-run.js";
import { recordsOf } from "../attempts/failover.js";
import { runUnary } from "../attempts/failover-unary.js";
import type { FailoverDeps, Settled } from "../attempts/failover.js";
import type { RequestSetup } from "../attempts/request.js";
import { endRequest } from "../attempts/request.js";
import { estimateInputTokens } from "../routing/estimate.js";
import type { Plan } from "../routing/router.js";
import type { RequestEnd } from "../observer.js";
import type { EmbedInput } from "../types.js";
import { GatewayError } from "../types.js";
import type { EmbedOutcome } from "./embed-request.js";

/** Encoding allowance of a vector (index, tags, lengths), of an attempt in the list, and of the message. */
const PER_VECTOR = 16;
const PER_ATTEMPT = 512;
const BASE = 1024;

/** An upper bound of the encoded answer, bytes: 4 per float (protobuf `float`) plus the allowances. */
export function embedAnswerBytes(vectors: readonly (readonly number[])[], attempts: number): number {
  let bytes = BASE + attempts * PER_ATTEMPT;
  for (const v of vectors) bytes += 4 * v.length + PER_VECTOR;
  return bytes;
}

/** Serves an embeddings request over the planned candidates (no streaming; hedging only when its route asks). */
export async function embedUnary(deps: FailoverDeps, setup: RequestSetup, input: EmbedInput): Promise<EmbedOutcome> {
  const { req, scope } = setup;
  let plan = setup.plan;
  let runs: readonly AttemptRun[] = [];
  let outcome: RequestEnd["outcome"] = "internal";
  const launch = async (run: AttemptRun): Promise<Settled<EmbedResult>> => {
    try {
      const embed = run.adapter.embed?.bind(run.adapter);
      if (!embed) throw new ProviderError({ kind: "invalid_request", reason: `provider ${run.model.provider} serves no embeddings` });
      const dimensions = input.dimensions ?? run.model.embedding?.dimensions;
      const result = await embed({ inputs: input.inputs, upstreamModel: run.model.upstreamModel, ...(dimensions !== undefined ? { dimensions } : {}) }, run.callOptions());
      run.succeed(result.usage, { finishReason: undefined, responseModel: result.responseModel });
      return { ok: true, value: result };
    } catch (err) {
      run.fail(err);
      return { ok: false };
    }
  };
  try {
    plan = fitAnswer(fitInputs(plan, input.inputs), input, deps.config.bounds.maxResponseBytes);
    const { won, served } = await runUnary(deps, setup, plan, launch, (r) => (runs = r));
    const attempts = recordsOf(won.runs);
    const done: EmbedOutcome = {
      requestId: req.requestId,
      vectors: won.value.vectors,
      model: served.model,
      provider: served.provider,
      responseModel: won.value.responseModel,
      route: plan.route?.name,
      // What the provider reported (bounded when implausible): an estimate is for the ledger, never shown as a report.
      usage: served.usageBasis === "estimated" ? won.value.usage : served.usage,
      costPicos: attempts.reduce((sum, a) => sum + a.costPicos, 0n),
      attempts,
    };
    // Vectors larger than clients take are refused before they are sent: the attempt stays billed, the request fails.
    const bytes = embedAnswerBytes(done.vectors, attempts.length);
    const limit = deps.config.bounds.maxResponseBytes;
    if (bytes > limit) {
      throw new GatewayError("resource_exhausted", `the vectors are about ${bytes} bytes, over the server's limit of ${limit} bytes (server.maxResponseBytes); send fewer inputs or ask for fewer dimensions`, attempts);
    }
    outcome = "ok";
    return done;
  } catch (err) {
    outcome = err instanceof GatewayError ? err.code : "internal";
    throw err;
  } finally {
    scope.dispose();
    // Before the answer (or the error) leaves: the ledger must hold every attempt.
    await endRequest(deps, setup, false, recordsOf(runs), outcome);
  }
}

/**
 * The plan without the models whose `maxInputTokens` the longest input (estimated as the core estimates prompts)
 * exceeds; INVALID_ARGUMENT naming that input when none is left.
 */
export function fitInputs(plan: Plan, inputs: readonly string[]): Plan {
  let longest = 0;
  let at = 0;
  inputs.forEach((text, i) => {
    const tokens = estimateInputTokens({ messages: [{ role: "user", content: text }], params: {} });
    if (tokens > longest) [longest, at] = [tokens, i];
  });
  const fits = plan.candidates.filter((m) => (m.embedding?.maxInputTokens ?? Infinity) >= longest);
  if (fits.length === plan.candidates.length) return plan;
  if (fits.length === 0) {
    const most = Math.max(...plan.candidates.map((m) => m.embedding?.maxInputTokens ?? 0));
    throw new GatewayError("invalid_argument", `inputs[${at}]: is about ${longest} tokens, over the ${most}-token input limit of every model that may serve it`);
  }
  const dropped = plan.candidates.filter((m) => !fits.includes(m)).map((m) => m.name);
  return { ...plan, candidates: fits, tooSmall: [...plan.tooSmall, ...dropped] };
}

/**
 * The plan without the models whose vectors (of the asked size, else the model's configured one) cannot fit in an
 * answer: refused before any call rather than billed and then refused. RESOURCE_EXHAUSTED when none is left; a
 * model of unknown size stays (its answer is checked when it comes).
 */
export function fitAnswer(plan: Plan, input: EmbedInput, limit: number): Plan {
  // The answer's size with one attempt (more attempts add little; the answer is checked again when it comes).
  const size = (dims: number): number => BASE + PER_ATTEMPT + input.inputs.length * (4 * dims + PER_VECTOR);
  const fits = plan.candidates.filter((m) => {
    const dims = input.dimensions ?? m.embedding?.dimensions;
    return dims === undefined || size(dims) <= limit;
  });
  if (fits.length === plan.candidates.length) return plan;
  if (fits.length === 0) {
    const dims = input.dimensions ?? Math.min(...plan.candidates.map((m) => m.embedding?.dimensions ?? Infinity));
    throw new GatewayError(
      "resource_exhausted",
      `${input.inputs.length} vectors of ${dims} dimensions are about ${size(dims)} bytes, over the server's limit of ${limit} bytes (server.maxResponseBytes); send fewer inputs or ask for fewer dimensions`,
    );
  }
  return { ...plan, candidates: fits, tooSmall: [...plan.tooSmall, ...plan.candidates.filter((m) => !fits.includes(m)).map((m) => m.name)] };
}

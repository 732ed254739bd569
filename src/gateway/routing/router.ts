/** The router: a request -> the ordered models that may serve it (strategy, then context-window constraint). */
import type { GatewayConfig, ModelConfig, RouteConfig } from "../../config/schema.js";
import type { DeploymentView } from "../health/balancer.js";
import type { Random } from "../clock.js";
import type { Unsupported } from "../../providers/types.js";
import { beyondText, describeUnfit, needs, unfit } from "./capabilities.js";
import { contextTokens, fitsWindow } from "./estimate.js";
import { STRATEGY_FNS } from "./strategies/index.js";
import { SmoothWeightedRoundRobin } from "./strategies/weighted.js";
import type { GatewayRequest } from "../types.js";
import { GatewayError } from "../types.js";

/** The models to try, in order, and the route they came from. */
export interface Plan {
  readonly route: RouteConfig | undefined;
  readonly candidates: readonly ModelConfig[];
  /** Tokens the request is estimated to need in a context window. */
  readonly contextTokens: number;
  /** Models left out because their context window is too small. */
  readonly tooSmall: readonly string[];
  /** Models left out because they lack a capability the request needs, or their wire format cannot carry it. */
  readonly unable: readonly string[];
}

/** What planning reads besides the config and request. */
export interface PlanContext {
  readonly view: DeploymentView;
  readonly random: Random;
  readonly stream: boolean;
  /** Round-robin state per route name (created on first use). */
  readonly rr: Map<string, SmoothWeightedRoundRobin>;
  /** What of the request a model's wire format cannot carry (its adapter's check); absent: everything. */
  readonly check?: (model: ModelConfig) => Unsupported | undefined;
}

/** Resolves a target: a model (itself, then its fallbacks, in order) or a route (its strategy's order). */
export function plan(config: GatewayConfig, req: GatewayRequest, ctx: PlanContext): Plan {
  const resolved = resolve(config, req.target);
  const { route } = resolved;
  // A key allowed a route may use its models; a key allowed a model is not failed over outside its list.
  const models = req.allowed && !route ? resolved.models.filter((m) => m.name === req.target || req.allowed?.has(m.name)) : resolved.models;
  const tokens = contextTokens(req.chat);
  const fitting = models.filter((m) => fitsWindow(m, tokens));
  const tooSmall = models.filter((m) => !fitsWindow(m, tokens)).map((m) => m.name);
  if (fitting.length === 0) {
    const largest = Math.max(...models.map((m) => m.contextWindow ?? 0));
    throw new GatewayError(
      "invalid_argument",
      `the request needs about ${tokens} tokens of context (messages and max_tokens); the largest context window of "${req.target}" is ${largest}`,
    );
  }
  const { able, unable } = capable(req, fitting, ctx);
  let candidates: ModelConfig[] = able;
  if (route) {
    let rr = ctx.rr.get(route.name);
    if (!rr) {
      rr = new SmoothWeightedRoundRobin();
      ctx.rr.set(route.name, rr);
    }
    candidates = STRATEGY_FNS[route.strategy]({ models: able, chat: req.chat, stream: ctx.stream, complexity: req.complexity, view: ctx.view, random: ctx.random, rr });
  }
  return { route, candidates, contextTokens: tokens, tooSmall, unable };
}

/** The models that can serve the request's tools, schema, images and reasoning; INVALID_ARGUMENT naming why when none can. */
function capable(req: GatewayRequest, models: ModelConfig[], ctx: PlanContext): { able: ModelConfig[]; unable: string[] } {
  if (!beyondText(req.chat)) return { able: models, unable: [] };
  const wanted = needs(req.chat);
  const check = ctx.check ?? (() => undefined);
  const able: ModelConfig[] = [];
  const reasons: string[] = [];
  for (const m of models) {
    const why = unfit(m, wanted, check);
    if (why) reasons.push(describeUnfit(m.name, why));
    else able.push(m);
  }
  if (able.length === 0) throw new GatewayError("invalid_argument", `no model of "${req.target}" can serve this request: ${reasons.join("; ")}`);
  return { able, unable: models.filter((m) => !able.includes(m)).map((m) => m.name) };
}

/** The models a target may be served by: a model, then its fallbacks; or a route's models. */
export function resolve(config: GatewayConfig, target: string): { route: RouteConfig | undefined; models: ModelConfig[] } {
  const model = config.models.get(target);
  if (model) {
    const fallbacks = model.fallbacks.map((name) => config.models.get(name)).filter((m): m is ModelConfig => m !== undefined);
    return { route: undefined, models: [model, ...fallbacks] };
  }
  const route = config.routes.get(target);
  if (route) {
    return { route, models: route.models.map((name) => config.models.get(name)).filter((m): m is ModelConfig => m !== undefined) };
  }
  // Admission refuses unknown targets before planning; reaching this is a bug.
  throw new GatewayError("internal", `target "${target}" was not admitted`);
}

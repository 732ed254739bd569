/** Estimates how hard a prompt is (simple / medium / complex) from its length, code and structure. Pure. */
import type { Tier } from "../../config/schema.js";
import { TIERS } from "../../config/schema.js";
import type { ChatRequest } from "../../providers/types.js";
import { estimateInputTokens } from "./estimate.js";

/** What the estimate saw in a prompt, for tests and logs. */
export interface ComplexitySignals {
  readonly tokens: number;
  /** Fenced code blocks (``` pairs). */
  readonly codeBlocks: number;
  /** Numbered or bulleted steps, and sequencing words ("first", "then", "finally"). */
  readonly steps: number;
  /** Distinct reasoning-heavy asks ("prove", "design", "analyze", "refactor", ...). */
  readonly reasoning: number;
  readonly score: number;
}

const REASONING = [
  /\bprove\b|\bproof\b/i,
  /\bderive\b|\bderivation\b/i,
  /\banaly[sz]e\b|\banalysis\b/i,
  /\bdesign\b|\barchitect/i,
  /\brefactor/i,
  /\bdebug\b|\broot cause\b/i,
  /\boptimi[sz]/i,
  /\btrade-?offs?\b/i,
  /\bcompare\b|\bcontrast\b/i,
  /\bstep[- ]by[- ]step\b/i,
];
const STEP_LINE = /^\s*(?:\d+[.)]|[-*•])\s+\S/;
const SEQUENCE = /\b(?:first|second|third|then|next|after that|afterwards|finally|lastly)\b/gi;

/** Reads the signals of a request's prompt (system and user messages; earlier answers are context only). */
export function complexitySignals(chat: ChatRequest): ComplexitySignals {
  const text = chat.messages
    .filter((m) => m.role !== "assistant")
    .map((m) => m.content)
    .join("\n");
  const tokens = estimateInputTokens(chat);
  const fences = text.match(/```/g)?.length ?? 0;
  const codeBlocks = Math.ceil(fences / 2);
  let stepLines = 0;
  for (const line of text.split("\n")) if (STEP_LINE.test(line)) stepLines++;
  const steps = stepLines + (text.match(SEQUENCE)?.length ?? 0);
  const reasoning = REASONING.filter((re) => re.test(text)).length;
  let score = 0;
  score += tokens > 2_000 ? 3 : tokens > 500 ? 2 : tokens > 120 ? 1 : 0;
  score += codeBlocks >= 2 ? 3 : codeBlocks === 1 ? 2 : 0;
  score += steps >= 4 ? 2 : steps >= 2 ? 1 : 0;
  score += Math.min(3, reasoning);
  return { tokens, codeBlocks, steps, reasoning, score };
}

/** The tier a prompt needs: score 0-1 simple, 2-3 medium, 4 and above complex. */
export function estimateComplexity(chat: ChatRequest): Tier {
  const { score } = complexitySignals(chat);
  return score >= 4 ? "complex" : score >= 2 ? "medium" : "simple";
}

/** Position of a tier in strength order (simple 0, medium 1, complex 2). */
export function tierRank(tier: Tier): number {
  return TIERS.indexOf(tier);
}

/** True when a model of tier `model` is meant for requests of tier `needed`. */
export function tierCovers(model: Tier, needed: Tier): boolean {
  return tierRank(model) >= tierRank(needed);
}

/** The one mapping between the portable reasoning control and each provider's: effort levels <-> token budgets. */
import type { ReasoningControl } from "./types.js";

/** The effort levels, weakest first. */
export type Effort = NonNullable<ReasoningControl["effort"]>;

/** Token budgets of the effort levels (the budgets Gemini's OpenAI endpoint uses for low/medium/high). */
export const EFFORT_BUDGET: Readonly<Record<Effort, number>> = { none: 0, minimal: 512, low: 1024, medium: 8192, high: 24576 };

/** The budget a control asks for: its budget, else its effort's; undefined when it asks for the provider's default. */
export function reasoningBudget(control: ReasoningControl | undefined): number | undefined {
  if (control?.budgetTokens !== undefined) return control.budgetTokens;
  return control?.effort === undefined ? undefined : EFFORT_BUDGET[control.effort];
}

/** The effort a control asks for: its effort, else the nearest level at or above its budget; undefined for the default. */
export function reasoningEffort(control: ReasoningControl | undefined): Effort | undefined {
  const budget = control?.budgetTokens;
  if (budget === undefined) return control?.effort;
  if (budget === 0) return "none";
  const levels: Effort[] = ["minimal", "low", "medium", "high"];
  return levels.find((e) => budget <= EFFORT_BUDGET[e]) ?? "high";
}

/** True when a control asks for reasoning to be on (any effort but none, or a budget above zero). */
export function wantsReasoning(control: ReasoningControl | undefined): boolean {
  const budget = reasoningBudget(control);
  return budget !== undefined && budget > 0;
}

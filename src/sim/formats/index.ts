/** Simulated wire formats by provider kind. */
import { anthropicSim } from "./anthropic.js";
import type { SimFormat } from "./format.js";
import { geminiSim } from "./gemini.js";
import { openAiSim } from "./openai.js";

/** The wire formats the simulator speaks. */
export type SimKind = "openai" | "anthropic" | "gemini";

/** Every simulated wire format, by kind. */
export const SIM_FORMATS: Readonly<Record<SimKind, SimFormat>> = {
  openai: openAiSim,
  anthropic: anthropicSim,
  gemini: geminiSim,
};

/** Simulated wire formats by provider kind. */
import type { SimFormat } from "./format.js";
import { openAiSim } from "./openai.js";

/** The wire formats the simulator speaks. */
export type SimKind = "openai";

/** Every simulated wire format, by kind. */
export const SIM_FORMATS: Readonly<Record<SimKind, SimFormat>> = {
  openai: openAiSim,
};

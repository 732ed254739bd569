/** Exact money: integer pico-dollars (1e-12 USD) as bigint, and conversions at the edges. */
import { PICOS_PER_DOLLAR } from "../../config/price.js";

/** Parsing of configured prices lives with the config; re-exported for accounting callers. */
export { PICOS_PER_DOLLAR, PRICE_DECIMALS, parseUsd, perMTokToPicoPerToken } from "../../config/price.js";

/** Splits pico-dollars into whole dollars and the remaining pico-dollars, both with the same sign. */
export function splitUsd(picos: bigint): { units: bigint; picoUnits: bigint } {
  return { units: picos / PICOS_PER_DOLLAR, picoUnits: picos % PICOS_PER_DOLLAR };
}

/** Renders pico-dollars as a plain decimal string of dollars, without trailing zeros ("0.000123"). */
export function formatUsd(picos: bigint): string {
  const negative = picos < 0n;
  const abs = negative ? -picos : picos;
  const units = abs / PICOS_PER_DOLLAR;
  const frac = (abs % PICOS_PER_DOLLAR).toString().padStart(12, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${units}${frac ? `.${frac}` : ""}`;
}

/** Renders pico-dollars as dollars with a fixed number of decimals (rounded half up), for tables. */
export function formatUsdFixed(picos: bigint, decimals: number): string {
  const scale = 10n ** BigInt(12 - decimals);
  const negative = picos < 0n;
  const abs = negative ? -picos : picos;
  const rounded = (abs + scale / 2n) / scale;
  const text = rounded.toString().padStart(decimals + 1, "0");
  const cut = text.length - decimals;
  return `${negative ? "-" : ""}${text.slice(0, cut)}${decimals > 0 ? `.${text.slice(cut)}` : ""}`;
}



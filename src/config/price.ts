/** Parsing of configured prices and amounts into exact pico-dollars (a leaf: config and accounting both use it). */

/** Pico-dollars in one dollar. */
export const PICOS_PER_DOLLAR = 1_000_000_000_000n;

/** Largest number of decimal places a per-million-token price may have and still be exact. */
export const PRICE_DECIMALS = 6;

/**
 * Parses a USD price per million tokens ("2.00", 0.075) into pico-dollars per token, exactly.
 * Returns undefined when the value is negative, not a number, or has more than six decimals.
 */
export function perMTokToPicoPerToken(value: string | number): bigint | undefined {
  const text = typeof value === "number" ? numberToPlain(value) : value.trim();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  const whole = match[1] ?? "0";
  const frac = (match[2] ?? "").replace(/0+$/, "");
  if (frac.length > PRICE_DECIMALS) return undefined;
  // $/MTok * 1e12 pico/$ / 1e6 tok = $/MTok * 1e6 pico/tok
  return BigInt(whole) * 1_000_000n + BigInt(frac.padEnd(PRICE_DECIMALS, "0"));
}

/** Parses a decimal dollar amount ("12.5") into pico-dollars; undefined when malformed. */
export function parseUsd(text: string): bigint | undefined {
  const match = /^(\d+)(?:\.(\d{1,12}))?$/.exec(text.trim());
  if (!match) return undefined;
  return BigInt(match[1] ?? "0") * PICOS_PER_DOLLAR + BigInt((match[2] ?? "").padEnd(12, "0"));
}

function numberToPlain(value: number): string {
  if (!Number.isFinite(value) || value < 0) return "x";
  // toFixed(12) avoids exponent notation; exactness is checked on the decimals that remain.
  return value.toFixed(12).replace(/0+$/, "").replace(/\.$/, "");
}

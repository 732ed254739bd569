/** Replaces secrets, in every encoded form a provider may echo them in, by "[redacted]"; built once, used per line. */
import { secretVariants } from "./secret-variants.js";

/** What a redacted secret reads as. */
export const REDACTED = "[redacted]";

/** Scrubs secrets out of text and out of the strings inside log values. */
export interface Redactor {
  /** True when there is no secret to look for (every call returns its input). */
  readonly empty: boolean;
  /** The text with every form of every secret replaced by "[redacted]". */
  text(value: string): string;
  /** A copy of a value with its strings scrubbed: nested objects (keys too) and arrays; an Error becomes "Name: message". */
  value(value: unknown): unknown;
}

/** A redactor for the given secrets; their variants are computed here, once (secrets under 4 characters are ignored). */
export function createRedactor(secrets: readonly string[]): Redactor {
  const variants = [...new Set(secrets.flatMap(secretVariants))].sort((a, b) => b.length - a.length);
  if (variants.length === 0) return NONE;
  // One alternation, longest first, so a longer form is replaced whole rather than around a shorter one inside it.
  const pattern = new RegExp(variants.map(escape).join("|"), "g");
  const text = (value: string): string => value.replace(pattern, REDACTED);
  const value = (v: unknown): unknown => {
    if (typeof v === "string") return text(v);
    if (v instanceof Error) return text(`${v.name}: ${v.message}`);
    if (Array.isArray(v)) return v.map(value);
    if (typeof v === "object" && v !== null) {
      if (hasToJson(v)) return value(v.toJSON());
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [text(k), value(x)]));
    }
    return v;
  };
  return { empty: false, text, value };
}

const NONE: Redactor = { empty: true, text: (v) => v, value: (v) => v };

function escape(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function hasToJson(v: object): v is { toJSON(): unknown } {
  return typeof (v as { toJSON?: unknown }).toJSON === "function";
}

import { inspect } from "node:util";

/** A secret value (an API key) that prints as "[redacted]" everywhere except through `reveal()`. */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself, for the one place that sends it (an HTTP header). */
  reveal(): string {
    return this.#value;
  }

  /** Never the value. */
  toString(): string {
    return "[redacted]";
  }

  /** Never the value, also when serialised. */
  toJSON(): string {
    return "[redacted]";
  }

  /** Never the value, also in console.log and util.inspect. */
  [inspect.custom](): string {
    return "[redacted]";
  }
}

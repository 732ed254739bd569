/** A path-aware reader over untyped YAML: every problem is recorded with the path of its field. */

/** A config problem: the dotted path of the field and what is wrong with it. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** Thrown when a config is invalid; lists every issue found, each with its field path. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(`invalid config:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join("\n")}`);
    this.issues = issues;
  }
}

/** Collects issues while reading fields of nested objects. */
export class Reader {
  readonly issues: ConfigIssue[] = [];

  /** Records a problem at a path. */
  fail(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  /** The value as an object (a map), or an empty one after recording a problem. */
  object(value: unknown, path: string, optional = false): Record<string, unknown> {
    if (value === undefined || value === null) {
      if (!optional) this.fail(path, "is required");
      return {};
    }
    if (typeof value !== "object" || Array.isArray(value)) {
      this.fail(path, "must be a map");
      return {};
    }
    return value as Record<string, unknown>;
  }

  /** Records unknown keys of an object (a typo should not be silently ignored). */
  known(obj: Record<string, unknown>, path: string, keys: readonly string[]): void {
    for (const key of Object.keys(obj)) {
      if (!keys.includes(key)) this.fail(join(path, key), `unknown field (expected one of: ${keys.join(", ")})`);
    }
  }

  /** A string field. */
  string(obj: Record<string, unknown>, path: string, key: string, fallback?: string): string {
    const value = obj[key];
    if (value === undefined || value === null) {
      if (fallback === undefined) this.fail(join(path, key), "is required");
      return fallback ?? "";
    }
    if (typeof value !== "string" || value.length === 0) {
      this.fail(join(path, key), "must be a non-empty string");
      return fallback ?? "";
    }
    return value;
  }

  /** An optional string field. */
  optionalString(obj: Record<string, unknown>, path: string, key: string): string | undefined {
    return obj[key] === undefined || obj[key] === null ? undefined : this.string(obj, path, key);
  }

  /** A number field within [min, max], integer when asked. */
  number(obj: Record<string, unknown>, path: string, key: string, opts: NumberOpts): number {
    const value = obj[key];
    if (value === undefined || value === null) {
      if (opts.fallback === undefined) this.fail(join(path, key), "is required");
      return opts.fallback ?? 0;
    }
    const ok = typeof value === "number" && Number.isFinite(value) && (!opts.integer || Number.isInteger(value));
    const min = opts.min ?? 0;
    const max = opts.max ?? Number.MAX_SAFE_INTEGER;
    if (!ok || (value as number) < min || (value as number) > max) {
      this.fail(join(path, key), `must be ${opts.integer ? "an integer" : "a number"} from ${min} to ${max}`);
      return opts.fallback ?? min;
    }
    return value as number;
  }

  /** An optional number field. */
  optionalNumber(obj: Record<string, unknown>, path: string, key: string, opts: Omit<NumberOpts, "fallback">): number | undefined {
    return obj[key] === undefined || obj[key] === null ? undefined : this.number(obj, path, key, opts);
  }

  /** A string field restricted to a set of values. */
  oneOf<T extends string>(obj: Record<string, unknown>, path: string, key: string, values: readonly T[], fallback?: T): T {
    const value = obj[key] ?? fallback;
    if (typeof value === "string" && (values as readonly string[]).includes(value)) return value as T;
    this.fail(join(path, key), value === undefined ? "is required" : `must be one of: ${values.join(", ")}`);
    return fallback ?? (values[0] as T);
  }

  /** An optional boolean field. */
  optionalBool(obj: Record<string, unknown>, path: string, key: string): boolean | undefined {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "boolean") {
      this.fail(join(path, key), "must be true or false");
      return undefined;
    }
    return value;
  }

  /** A list of strings. */
  strings(obj: Record<string, unknown>, path: string, key: string, fallback?: readonly string[]): string[] {
    const value = obj[key];
    if (value === undefined || value === null) {
      if (fallback === undefined) this.fail(join(path, key), "is required");
      return [...(fallback ?? [])];
    }
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string" && v.length > 0)) {
      this.fail(join(path, key), "must be a list of names");
      return [];
    }
    return value as string[];
  }
}

/** Options of Reader.number. */
export interface NumberOpts {
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
  readonly fallback?: number;
}

/** Joins a path and a key ("models.gpt-4.1" + "pricing"). */
export function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Minimal flag parsing: --name value, --name=value, --flag, and positionals. */

/** Parsed command-line arguments. */
export interface Args {
  readonly flags: ReadonlyMap<string, string | true>;
  readonly positionals: readonly string[];
}

/** Parses argv (without the node and script parts); `booleans` never take a value. */
export function parseArgs(argv: readonly string[], booleans: readonly string[] = []): Args {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (eq >= 0) flags.set(name, arg.slice(eq + 1));
    else if (booleans.includes(name) || i + 1 >= argv.length || (argv[i + 1] ?? "").startsWith("--")) flags.set(name, true);
    else flags.set(name, argv[++i] ?? "");
  }
  return { flags, positionals };
}

/** A string flag, or undefined. */
export function flag(args: Args, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === "string" ? v : undefined;
}

/** Errors of the PostgreSQL ledger, scrubbed of the connection URL and its password before they leave the store. */

/** An error of the PostgreSQL ledger: a message without secrets, and PostgreSQL's SQLSTATE or Node's code when known. */
export class PgLedgerError extends Error {
  override readonly name = "PgLedgerError";
  /** e.g. "57014" (statement timeout), "ECONNREFUSED"; undefined when none. */
  readonly code: string | undefined;

  constructor(message: string, code: string | undefined) {
    super(message);
    this.code = code;
  }
}

/** Makes scrubbed errors for one URL: every form of its password and the URL itself are replaced. */
export function errorScrubber(url: string): (err: unknown, what: string) => PgLedgerError {
  const secrets = new Set<string>([url]);
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") {
      secrets.add(parsed.password);
      secrets.add(decodeURIComponent(parsed.password));
    }
  } catch {
    // An unparsable URL is refused by the config; only its whole text is known then.
  }
  const hidden = [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  return (err, what) => {
    if (err instanceof PgLedgerError) return err;
    const raw = err instanceof Error ? err.message : String(err);
    const code = typeof err === "object" && err !== null && "code" in err && typeof err.code === "string" ? err.code : undefined;
    return new PgLedgerError(`ledger PostgreSQL ${what}: ${scrubText(raw, hidden)}`, code);
  };
}

/** `text` with each secret and any URL's user info replaced by [redacted]. */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join("[redacted]");
  return out.replace(/(postgres(?:ql)?:\/\/)[^@\s/]*@/gi, "$1[redacted]@");
}

/**
 * The forms a secret takes when a provider echoes it back: as is, URL-encoded, JSON-escaped, hex, and
 * base64 or base64url at each of the three alignments a substring can have inside a longer base64 text.
 */

/** Secrets shorter than this are ignored: they would match ordinary text. */
export const MIN_SECRET_LENGTH = 4;

/**
 * Every encoded form of `secret` worth matching, each at least MIN_SECRET_LENGTH characters; empty for a
 * secret shorter than that. Prefixed forms (`Bearer KEY`, `user:KEY` in Basic auth) need no entries of their
 * own: the secret's bytes sit at some alignment inside their base64, and that alignment's form matches.
 */
export function secretVariants(secret: string): string[] {
  if (secret.length < MIN_SECRET_LENGTH) return [];
  const out = new Set<string>();
  const add = (form: string): void => {
    if (form.length >= MIN_SECRET_LENGTH) out.add(form);
  };
  add(secret);
  for (const form of jsonForms(secret)) add(form);
  for (const form of urlForms(secret)) add(form);
  const bytes = Buffer.from(secret, "utf8");
  const hex = bytes.toString("hex");
  add(hex);
  add(hex.toUpperCase());
  for (const form of base64Forms(bytes)) add(form);
  return [...out];
}

/** The secret as it appears inside a JSON string: plain, `\/`-escaped, ASCII-only (`\u00e9`), HTML-safe, and escaped twice. */
export function jsonForms(secret: string): string[] {
  const plain = JSON.stringify(secret).slice(1, -1);
  const ascii = plain.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const htmlSafe = plain.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const once = [plain, ascii, htmlSafe].flatMap((f) => [f, f.replace(/\//g, "\\/")]);
  return [...once, ...once.map((f) => JSON.stringify(f).slice(1, -1))];
}

/** The secret URL-encoded: encodeURIComponent, the form (`+` for space) encodings, encodeURI, each also with lower-case hex. */
export function urlForms(secret: string): string[] {
  const component = encodeURIComponent(secret);
  const form = new URLSearchParams([["", secret]]).toString().slice(1);
  const forms = [component, component.replace(/%20/g, "+"), form, encodeURI(secret)];
  return [...forms, ...forms.map((f) => f.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()))];
}

/**
 * Base64 and base64url of `bytes` placed at offset 0, 1 and 2 of a 3-byte group, each trimmed to the
 * characters that depend on those bytes alone: whatever surrounds the secret, one of the three appears.
 */
export function base64Forms(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    // Character i covers bits [6i, 6i + 6); keep those inside the secret's bits [8 * offset, 8 * padded.length).
    const from = Math.ceil((8 * offset) / 6);
    const to = Math.floor((8 * padded.length) / 6);
    const b64 = padded.toString("base64").slice(from, to);
    out.push(b64, b64.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return out;
}

import { describe, expect, it } from "vitest";
import { createLogger, redacting } from "./log.js";
import { createRedactor, REDACTED } from "./redact.js";
import { secretVariants } from "./secret-variants.js";

const KEY = "sk-live-Zq3+/xY~~~?>9 a_b"; // carries characters that each encoding writes differently
const JSON_KEY = 'k3y"with\\back/slash';
const r = createRedactor([KEY, JSON_KEY]);
const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
const b64url = (s: string): string => Buffer.from(s, "utf8").toString("base64url");

/** The redacted text keeps none of the secret's encoded form, and shows a redaction. */
function scrubbed(text: string, encoded: string): string {
  expect(text).toContain(encoded); // the test input really carries the encoded secret
  const out = r.text(text);
  expect(out).not.toContain(encoded);
  expect(out).toContain(REDACTED);
  return out;
}

describe("redactor", () => {
  it("replaces the literal secret", () => {
    expect(scrubbed(`auth failed for ${KEY}!`, KEY)).toBe(`auth failed for ${REDACTED}!`);
  });

  it("replaces the URL-encoded secret: encodeURIComponent, + for space, form encoding, lower-case hex", () => {
    const component = encodeURIComponent(KEY);
    expect(component).not.toBe(KEY);
    scrubbed(`GET /v1?key=${component}&x=1`, component);
    scrubbed(`key=${component.replace(/%20/g, "+")}`, component.replace(/%20/g, "+"));
    const form = new URLSearchParams({ key: KEY }).toString();
    expect(r.text(form)).toBe(`key=${REDACTED}`);
    const lower = component.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
    expect(r.text(`key=${lower}`)).toBe(`key=${REDACTED}`);
  });

  it("replaces base64 of the secret at every alignment inside a longer base64 text", () => {
    for (const prefix of ["", "k", "ke", "key=", "Bearer ", "user:"]) {
      for (const suffix of ["", "xy", "!"]) {
        const encoded = b64(`${prefix}${KEY}${suffix}`);
        const out = r.text(`header: ${encoded}`);
        expect(out, `${prefix}|${suffix}`).toContain(REDACTED);
        // At most the two characters at each end that mix the secret with its neighbours survive.
        const kept = out.replace(`header: `, "").split(REDACTED).join("");
        expect(kept.length, `${prefix}|${suffix}: ${out}`).toBeLessThanOrEqual(b64(prefix).length + b64(suffix).length + 4);
        expect(secretVariants(KEY).some((v) => encoded.includes(v))).toBe(true);
      }
    }
    scrubbed(`token ${b64(`ab${KEY}xy`)}`, b64(`ab${KEY}xy`).slice(3, 20));
  });

  it("replaces base64url of the secret", () => {
    const encoded = b64url(`key=${KEY}`);
    expect(encoded).toMatch(/[-_]/);
    const out = r.text(`jwt ${encoded}.sig`);
    expect(out).toMatch(/^jwt .{5,8}\[redacted\].{0,2}\.sig$/); // "key=" is 5 characters and a bit
    expect(r.text(b64url(KEY))).toMatch(/^\[redacted\].{0,2}$/);
  });

  it("replaces the secret as it appears inside JSON text, escaped once or twice, with or without \\/", () => {
    const once = JSON.stringify({ error: { message: `bad key ${JSON_KEY}` } });
    expect(once).not.toContain(JSON_KEY);
    expect(r.text(once)).toBe(JSON.stringify({ error: { message: `bad key ${REDACTED}` } }));
    const twice = JSON.stringify({ body: once });
    expect(r.text(twice)).not.toContain("with");
    const slashed = once.replace(/\//g, "\\/");
    expect(r.text(slashed)).not.toContain("with");
  });

  it("replaces the hex of the secret, lower and upper case", () => {
    const hex = Buffer.from(KEY).toString("hex");
    expect(r.text(`dump ${hex}`)).toBe(`dump ${REDACTED}`);
    expect(r.text(`DUMP ${hex.toUpperCase()}`)).toBe(`DUMP ${REDACTED}`);
  });

  it("leaves unrelated text alone and ignores secrets under 4 characters", () => {
    const text = "provider said: 401 invalid_api_key (sk-live, Zq3, abc) Bearer x";
    expect(r.text(text)).toBe(text);
    const short = createRedactor(["abc", ""]);
    expect(short.empty).toBe(true);
    expect(short.text("abc abc")).toBe("abc abc");
    expect(createRedactor(["abcd"]).text("xabcdx abc")).toBe(`x${REDACTED}x abc`);
  });

  it("scrubs values: nested objects and their keys, arrays, errors, toJSON", () => {
    const v = r.value({ a: [KEY, { [KEY]: b64(KEY) }], err: new Error(`bad ${encodeURIComponent(KEY)}`), n: 3, d: new Date(0) });
    const text = JSON.stringify(v);
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(encodeURIComponent(KEY));
    expect(text).not.toContain(b64(KEY).slice(0, 20));
    expect(v).toMatchObject({ n: 3, err: `Error: bad ${REDACTED}`, d: "1970-01-01T00:00:00.000Z" });
  });

  it("redacts every form through the logger, message and fields", () => {
    const lines: string[] = [];
    const log = redacting(createLogger("debug", (l) => lines.push(l)), r);
    log.log("warn", `echo ${b64(`Bearer ${KEY}`)}`, { body: `{"message":"${encodeURIComponent(KEY)}"}`, headers: { "x-key": Buffer.from(KEY).toString("hex") } });
    const line = lines.join("");
    expect(line.match(/\[redacted\]/g)?.length).toBe(3);
    for (const form of [encodeURIComponent(KEY), Buffer.from(KEY).toString("hex"), b64(KEY).slice(4, 20)]) expect(line).not.toContain(form);
  });

  it("is fast enough for every log line", () => {
    const many = createRedactor(Array.from({ length: 12 }, (_, i) => `sk-proj-${i}-${"x".repeat(40)}${i}`));
    const line = `provider attempt failed ${"lorem ipsum dolor sit amet ".repeat(20)}`;
    const start = performance.now();
    for (let i = 0; i < 2_000; i++) many.text(line);
    expect((performance.now() - start) / 2_000).toBeLessThan(0.5); // ms per ~550-character line
  });
});

/** A careless provider: error answers that quote the credential the request sent, in several encodings, to test redaction. */
import type { IncomingMessage } from "node:http";
import type { SimHttpAnswer } from "./formats/format.js";
import type { SimProfile } from "./profile.js";

/** The credential a request presented, as sent (`Bearer KEY` for OpenAI) and bare. */
function credential(req: IncomingMessage): { sent: string; bare: string } {
  const sent = String(req.headers["authorization"] ?? req.headers["x-api-key"] ?? req.headers["x-goog-api-key"] ?? "");
  return { sent, bare: sent.replace(/^Bearer /, "") };
}

/**
 * The error answer with the credential echoed as the profile asks: `echoKeyInErrors` quotes it in the message
 * (as is, URL-encoded, base64 of the header, base64url of `key=KEY`) and in headers (URL-encoded, base64,
 * a Basic `user:KEY` challenge); `echoKeyInLabel` makes it the error's type/code/status token.
 */
export function echoKey(e: SimHttpAnswer, req: IncomingMessage, p: SimProfile): SimHttpAnswer {
  const { sent, bare } = credential(req);
  let body = e.body;
  let headers = e.headers;
  if (p.echoKeyInErrors) {
    const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
    const quote = `key ${sent} rejected (url ${encodeURIComponent(sent)}, b64 ${b64(sent)}, b64url ${Buffer.from(`key=${bare}`).toString("base64url")}): `;
    body = body.replace(/"message":\s*"/, `"message": "${JSON.stringify(quote).slice(1, -1)}`);
    headers = { ...headers, "x-echo-key": encodeURIComponent(sent), "x-echo-key-b64": b64(sent), "www-authenticate": `Basic realm="sim", hint="${b64(`user:${bare}`)}"` };
  }
  if (p.echoKeyInLabel) body = labelled(body, bare);
  return { status: e.status, headers, body };
}

/** The body with the error's string type, code and status (the tokens a gateway may show clients) set to `key`. */
function labelled(body: string, key: string): string {
  const doc: unknown = JSON.parse(body);
  const root: unknown = Array.isArray(doc) ? doc[0] : doc;
  const error = typeof root === "object" && root !== null ? (root as Record<string, unknown>)["error"] : undefined;
  if (typeof error !== "object" || error === null) return body;
  const fields = error as Record<string, unknown>;
  for (const f of ["type", "code", "status"]) if (typeof fields[f] === "string" || fields[f] === null) fields[f] = key;
  return JSON.stringify(doc);
}

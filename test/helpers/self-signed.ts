/** A self-signed certificate for 127.0.0.1, made with openssl in a folder of its own, for TLS tests. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Writes cert.pem and key.pem into `dir`; returns their paths and the certificate (to trust as the CA). */
export function selfSigned(dir: string): { readonly cert: string; readonly key: string; readonly ca: Buffer } {
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  return { cert, key, ca: readFileSync(cert) };
}

/** `keys create`: makes a client key, prints the secret once and the config entry (with its hash) to paste. */
import { createHash, randomBytes } from "node:crypto";
import type { Args } from "./args.js";
import { flag } from "./args.js";

/** A new random client key: "gwk_" and 32 random bytes, base64url. */
export function newClientKey(): string {
  return `gwk_${randomBytes(32).toString("base64url")}`;
}

/** The SHA-256 of a key, hex: what the config stores instead of the key. */
export function keyHash(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Runs `keys create ...`; returns the exit code. */
export function keys(args: Args): number {
  const [sub] = args.positionals;
  const id = flag(args, "id");
  if (sub !== "create" || !id || !ID.test(id)) {
    process.stderr.write("usage: keys create --id NAME [--role user|admin] [--allow m1,route2] [--rpm N] [--tpm N] [--budget-usd N] [--tag k=v]...\n");
    return 2;
  }
  const role = flag(args, "role") ?? "user";
  if (role !== "user" && role !== "admin") {
    process.stderr.write("--role: must be user or admin\n");
    return 2;
  }
  const key = newClientKey();
  const fields = [`sha256: "${keyHash(key)}"`, `role: ${role}`];
  const allow = flag(args, "allow");
  if (allow) fields.push(`allow: [${allow.split(",").map((s) => s.trim()).filter(Boolean).join(", ")}]`);
  for (const [name, field] of [["rpm", "rpm"], ["tpm", "tpm"], ["budget-usd", "monthlyBudgetUsd"]] as const) {
    const v = flag(args, name);
    if (v === undefined) continue;
    if (!/^\d+(\.\d+)?$/.test(v)) {
      process.stderr.write(`--${name}: must be a number\n`);
      return 2;
    }
    fields.push(`${field}: ${v}`);
  }
  const tag = flag(args, "tag");
  if (tag) {
    const [k, v] = tag.split("=");
    if (!k || v === undefined) {
      process.stderr.write("--tag: must be key=value\n");
      return 2;
    }
    fields.push(`tags: { ${k}: ${JSON.stringify(v)} }`);
  }
  process.stdout.write(
    `Client key "${id}" (shown only now; store it in your secret manager):\n\n  ${key}\n\n` +
      `Clients send it as gRPC metadata:  authorization: Bearer ${key.slice(0, 8)}...\n\n` +
      `Add this to the gateway config (it holds only the key's SHA-256):\n\nauth:\n  keys:\n    ${id}: { ${fields.join(", ")} }\n`,
  );
  return 0;
}
